// The store writers every controller runs: its heartbeat row (every replica), the leader's
// audit retention, the change feed's pruning, and the database readiness check.
import { storeOf } from "../../lib/db/open";
import { describeStore } from "../../lib/db/url";
import type { ControllerContext } from "../context";
import { AuditRetention } from "./audit";
import { pruneChanges } from "./changes";
import { firstLine } from "./connect";
import { HeartbeatWriter } from "./heartbeat";

export function setupStore(ctx: ControllerContext): void {
  const { manager, config, db, cluster } = ctx;
  const heartbeat = new HeartbeatWriter(
    db,
    config.FLEETDECK_CONTROLLER_ID,
    cluster,
    ctx.isLeader,
    config.access.FLEETDECK_AUTHZ,
  );
  // The first runnable: it beats before the others start and marks the row stopped after them.
  const beats = manager.every(
    "heartbeat",
    config.FLEETDECK_HEARTBEAT_SECONDS * 1000,
    ({ final }) => heartbeat.beat(final),
    { initialRun: true, finalRun: true },
  );
  // The row says whether this process leads as soon as that changes.
  manager.add({
    name: "heartbeat-leadership",
    leaderOnly: true,
    start: () => void beats.trigger(),
    stop: () => void beats.trigger(),
  });

  const retention = new AuditRetention(
    db,
    {
      clusterId: cluster.clusterId,
      retentionDays: config.store.FLEETDECK_AUDIT_RETENTION_DAYS,
      actor: config.FLEETDECK_CONTROLLER_ID,
    },
    ctx.log.child({ component: "audit" }),
  );
  manager.every("audit-retention", 3_600_000, () => retention.prune(), {
    leaderOnly: true,
    initialRun: true,
  });
  manager.every("change-feed-pruner", 10 * 60_000, () => pruneChanges(db));

  const where = storeOf(db);
  const described = where ? describeStore(where) : "the store";
  manager.addReadyzCheck("database", async () => {
    await db.$queryRawUnsafe("SELECT 1").catch((error: unknown) => {
      throw new Error(`database unreachable (${described}): ${firstLine(error)}`);
    });
  });
  manager.addDetails("cluster", () => ({ id: cluster.clusterId, name: cluster.name }));
}
