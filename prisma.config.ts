import fs from "node:fs";
import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma/config";
import { storeLocation } from "./lib/db/url";

// Prisma 6.19 with the JavaScript schema engine: no native engine is downloaded or run (Prisma
// 7's CLI downloads one, which fails offline; see scripts/prisma.sh). DATABASE_URL picks the
// provider's schema and migrations (prisma/sqlite or prisma/postgresql, both generated from
// prisma/models.prisma) and the driver adapter the CLI migrates through.
const location = storeLocation();

export default defineConfig({
  schema: `prisma/${location.provider}/schema.prisma`,
  migrations: { path: `prisma/${location.provider}/migrations` },
  experimental: { adapter: true },
  engine: "js",
  async adapter() {
    if (location.provider === "postgresql") return new PrismaPg({ connectionString: location.url });
    fs.mkdirSync(path.dirname(location.file), { recursive: true });
    return new PrismaBetterSQLite3({ url: location.file });
  },
});
