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

/** The models whose rows belong to a cluster: those with a `clusterId` field. */
export function clusterRowModels(models: string): string[] {
  return [...models.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)]
    .filter(([, , body]) => /^\s+clusterId\s/m.test(body!))
    .map(([, name]) => name!);
}

/**
 * What a PostgreSQL migration appends for the models that newly hold cluster rows: their
 * row-level security, with the function of prisma/postgresql/migrations/20261207000000_cluster_logins
 * (docs/security.md). What a cluster's login may do with them is granted by hand.
 */
export function rowSecuritySql(previousModels: string, models: string): string {
  const before = new Set(clusterRowModels(previousModels));
  const added = clusterRowModels(models).filter((name) => !before.has(name));
  if (added.length === 0) return "";
  return [
    "",
    "-- Row-level security of the new tables of cluster rows: the hub reaches every row, a",
    "-- cluster's login its own cluster's. Grant fleetdeck_cluster what its controllers write here.",
    ...added.map((name) => `SELECT fleetdeck_cluster_rows('"${name}"');`),
    "",
  ].join("\n");
}
