// The two providers' schemas, rendered from the one source of the models
// (prisma/models.prisma): Prisma fixes the datasource provider per schema file, so each
// provider gets its own file and its own generated client, with the same models.
import path from "node:path";
import { REPO_ROOT } from "../../testing/paths";

export const PROVIDERS = ["sqlite", "postgresql"] as const;
export type Provider = (typeof PROVIDERS)[number];

export const MODELS_FILE = path.join(REPO_ROOT, "prisma/models.prisma");
/** The models as of the newest migration: a change to the models needs a migration. */
export const MIGRATED_MODELS_FILE = path.join(REPO_ROOT, "prisma/models.migrated.prisma");

export const schemaFile = (provider: Provider) => path.join(REPO_ROOT, "prisma", provider, "schema.prisma");
export const migrationsDir = (provider: Provider) => path.join(REPO_ROOT, "prisma", provider, "migrations");

// Not used at run time: both processes and the CLI connect through a driver adapter built
// from DATABASE_URL (lib/db/, prisma.config.ts). Prisma only wants a well-formed URL here.
const PLACEHOLDER_URL: Record<Provider, string> = {
  sqlite: "file:../../.fleetdeck/fleetdeck.db",
  postgresql: "postgresql://localhost:5432/fleetdeck",
};

/** The schema file of `provider`: a generated header, then the models unchanged. */
export function renderSchema(provider: Provider, models: string): string {
  return `// GENERATED from prisma/models.prisma by \`npm run db:schemas\`: do not edit, edit the models.

generator client {
  provider     = "prisma-client"
  output       = "../generated/${provider}"
  engineType   = "client"
  moduleFormat = "esm"
  runtime      = "nodejs"
}

datasource db {
  provider = "${provider}"
  url      = "${PLACEHOLDER_URL[provider]}"
}

${models.trimEnd()}
`;
}
