// Joining the fleet on a real database: a SQLite file of before the fleet, upgraded by the fleet
// migration, keeps its rows (with clusterId '') and the first controller that registers adopts
// them; a display name another cluster holds, or that is another cluster's id, is refused.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import BetterSqlite from "better-sqlite3";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../lib/db/open";
import { createTestDatabase, testStoreProvider } from "../../testing/database";
import { REPO_ROOT } from "../../testing/paths";
import { ClusterNameConflictError, ClusterRegistrationError, joinFleet, registerCluster } from "./clusters";

const log = pino({ level: "silent" });
const identity = (clusterId: string, name: string) => ({
  clusterId,
  name,
  kubernetesVersion: "v1.34.4",
  server: "",
});

describe("joining the fleet", () => {
  it.skipIf(testStoreProvider() !== "sqlite")(
    "a single-cluster SQLite file keeps its rows through the fleet migration, and its first controller adopts them",
    async () => {
      const dir = path.join(REPO_ROOT, "prisma/sqlite/migrations");
      const migrations = fs
        .readdirSync(dir)
        .filter((d) => /^\d{14}_/.test(d))
        .sort();
      const fleet = migrations.indexOf("20261201000000_fleet");
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "fleetdeck-upgrade-")), "old.db");
      const sqlite = new BetterSqlite(file);
      const apply = (name: string) =>
        sqlite.exec(fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8"));
      migrations.slice(0, fleet).forEach(apply);
      const now = new Date().toISOString();
      sqlite.exec(`
        INSERT INTO "Agent" ("key", "namespace", "name", "uid", "generation", "spec", "reconciledAt")
          VALUES ('datadog/datadog', 'datadog', 'datadog', 'u1', 1, '{}', '${now}');
        INSERT INTO "Command" ("kind", "target", "payload", "actor", "source") VALUES ('ping', '', '{}', 'old', 'dashboard');
        INSERT INTO "AuditEvent" ("actor", "action", "targetKind", "target", "commandId", "source")
          VALUES ('old', 'command.requested', 'ping', '', 1, 'web');
        INSERT INTO "AuditEvent" ("actor", "action", "targetKind", "target", "source")
          VALUES ('admin', 'auth.login', 'Dashboard', '', 'web');`);
      migrations.slice(fleet).forEach(apply);
      sqlite.close();

      const db = await openDatabase({ file });
      expect(await db.agent.findMany({ select: { clusterId: true, key: true } })).toEqual([
        { clusterId: "", key: "datadog/datadog" },
      ]);
      await joinFleet(db, identity("uid-a", "east"), log);
      expect((await db.agent.findFirstOrThrow()).clusterId).toBe("uid-a");
      expect((await db.command.findFirstOrThrow()).clusterId).toBe("uid-a");
      const audit = await db.auditEvent.findMany({ orderBy: { id: "asc" }, select: { clusterId: true } });
      // The command's entry belongs to the cluster; a sign-in stays the dashboard's own.
      expect(audit).toEqual([{ clusterId: "uid-a" }, { clusterId: null }]);
      // A second controller of another cluster finds nothing left to adopt.
      await joinFleet(db, identity("uid-b", "west"), log);
      expect(await db.agent.count({ where: { clusterId: "uid-b" } })).toBe(0);
      await db.$disconnect();
    },
  );

  it("refuses a display name another cluster holds, naming both ids; renames a cluster that changes its own", async () => {
    const { db } = await createTestDatabase("clusters");
    await registerCluster(db, identity("uid-a", "prod"));
    const refused = registerCluster(db, identity("uid-b", "prod"));
    await expect(refused).rejects.toThrow(ClusterNameConflictError);
    await expect(refused).rejects.toThrow(
      /"prod" is already registered by cluster uid-a; this controller's cluster is uid-b/,
    );
    await registerCluster(db, identity("uid-a", "prod-eu"));
    await registerCluster(db, identity("uid-b", "prod"));
    expect(await db.cluster.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true } })).toEqual(
      [
        { id: "uid-b", name: "prod" },
        { id: "uid-a", name: "prod-eu" },
      ],
    );
    await db.$disconnect();
  });

  it("refuses a display name that is another cluster's id (it would stand for that cluster)", async () => {
    const { db } = await createTestDatabase("clusters");
    await registerCluster(db, identity("uid-b", "west"));
    const refused = registerCluster(db, identity("uid-a", "uid-b"));
    await expect(refused).rejects.toThrow(ClusterRegistrationError);
    await expect(refused).rejects.toThrow(/"uid-b" is the id of another cluster of the fleet/);
    // Its own id as its name stays allowed.
    await registerCluster(db, identity("uid-a", "uid-a"));
    expect(await db.cluster.findMany({ orderBy: { id: "asc" }, select: { id: true, name: true } })).toEqual([
      { id: "uid-a", name: "uid-a" },
      { id: "uid-b", name: "west" },
    ]);
    await db.$disconnect();
  });
});
