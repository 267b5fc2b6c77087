// Metadata forwarding, the leader's: the forwarders, their heartbeats, the send log's writes
// and pruning, and the status rows, each on the manager. Registered in this order so that they
// stop in the reverse one: forwarders first, then the standby status rows, then the send log's
// last write.
import type { ControllerContext } from "../context";
import { MetadataForwarding } from "./forwarding";

export function setupMetadata(ctx: ControllerContext): MetadataForwarding {
  const { manager } = ctx;
  const config = ctx.config.metadata;
  const forwarding = new MetadataForwarding({
    client: ctx.client,
    informers: ctx.informers,
    db: ctx.db,
    log: ctx.log.child({ component: "metadata" }),
    cluster: ctx.cluster,
    controllerId: ctx.config.FLEETDECK_CONTROLLER_ID,
    config,
    events: ctx.events,
  });
  const leaderOnly = true;
  manager.every("metadata-send-log", 1000, () => forwarding.sendLog.sync(), { leaderOnly, finalRun: true });
  manager.every("metadata-send-log-prune", 60_000, () => forwarding.sendLog.prune(), {
    leaderOnly,
    initialRun: true,
  });
  const status = manager.every("metadata-status", 2000, ({ final }) => forwarding.writeStatus(final), {
    leaderOnly,
    finalRun: true,
  });
  manager.add({
    name: "metadata-forwarding",
    leaderOnly,
    start: async () => {
      await forwarding.start();
      void status.trigger();
    },
    stop: () => forwarding.stop(),
  });
  const { crd, helm } = forwarding;
  if (crd) manager.every("metadata-crd-heartbeat", config.crdHeartbeatMs, () => crd.beat(), { leaderOnly });
  if (helm)
    manager.every("metadata-helm-heartbeat", config.helmHeartbeatMs, () => helm.beat(), { leaderOnly });
  return forwarding;
}
