// The two providers' schemas and migrations come from one source (prisma/models.prisma):
// the committed schemas are exactly what `npm run db:schemas` renders, a change to the models
// comes with a migration for both stores, and both stores end at the same migration.
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import {
  MIGRATED_MODELS_FILE,
  MODELS_FILE,
  PROVIDERS,
  clusterRowModels,
  migrationsDir,
  renderSchema,
  rowSecuritySql,
  schemaFile,
} from "./render";

const read = (file: string) => fs.readFileSync(file, "utf8");
const migrations = (provider: (typeof PROVIDERS)[number]) =>
  fs
    .readdirSync(migrationsDir(provider))
    .filter((d) => fs.existsSync(`${migrationsDir(provider)}/${d}/migration.sql`))
    .sort();

describe("the store's schemas", () => {
  it.each(PROVIDERS)(
    "prisma/%s/schema.prisma is rendered from prisma/models.prisma (run npm run db:schemas)",
    (provider) => {
      expect(read(schemaFile(provider))).toBe(renderSchema(provider, read(MODELS_FILE)));
    },
  );

  it("the models have a migration (run npm run db:schemas -- --migration <name>)", () => {
    expect(read(MODELS_FILE)).toBe(read(MIGRATED_MODELS_FILE));
  });

  it("both stores end at the same migration, and each provider's lock names it", () => {
    const [sqlite, postgresql] = PROVIDERS.map(migrations);
    expect(sqlite!.at(-1)).toBe(postgresql!.at(-1));
    for (const provider of PROVIDERS)
      expect(read(`${migrationsDir(provider)}/migration_lock.toml`)).toContain(`provider = "${provider}"`);
  });

  it("renders the provider and the client's output for each", () => {
    const schema = renderSchema("postgresql", "model A {\n  id Int @id\n}\n");
    expect(schema).toContain('provider = "postgresql"');
    expect(schema).toContain('output       = "../generated/postgresql"');
    expect(schema.trimEnd().endsWith("model A {\n  id Int @id\n}")).toBe(true);
  });

  it("finds the models of cluster rows by their clusterId field", () => {
    const models = clusterRowModels(read(MODELS_FILE));
    expect(models).toEqual(expect.arrayContaining(["Command", "AuditEvent", "Agent", "ClusterLogin"]));
    expect(models).not.toContain("Cluster");
    expect(models).not.toContain("Session");
    expect(models).not.toContain("Change");
  });

  it("gives a new model of cluster rows its row-level security in the PostgreSQL migration", () => {
    const before = "model A {\n  id Int @id\n}\n";
    const after = `${before}model B {\n  clusterId String\n  key String\n\n  @@id([clusterId, key])\n}\nmodel C {\n  id Int @id\n}\n`;
    expect(rowSecuritySql(before, after)).toContain(`SELECT fleetdeck_cluster_rows('"B"');`);
    expect(rowSecuritySql(before, after)).not.toContain(`"C"`);
    expect(rowSecuritySql(after, after)).toBe("");
  });
});
