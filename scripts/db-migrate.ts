// npm run db:migrate — applies prisma/migrations to the SQLite file named by DATABASE_URL
// (default .fleetdeck/fleetdeck.db).
import { databaseFile } from "../lib/db/url";
import { migrateDatabase } from "../lib/db/migrate";

const file = databaseFile();
await migrateDatabase(file, { quiet: false });
console.log(`database ready: ${file}`);
