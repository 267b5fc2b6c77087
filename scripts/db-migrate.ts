// npm run db:migrate — applies the migrations of DATABASE_URL's store: the SQLite file
// (default .fleetdeck/fleetdeck.db) or a PostgreSQL server (postgresql://…).
import { migrateDatabase } from "../lib/db/migrate";
import { describeStore, storeLocation } from "../lib/db/url";

const location = storeLocation();
await migrateDatabase(location, { quiet: false });
console.log(`database ready: ${describeStore(location)}`);
