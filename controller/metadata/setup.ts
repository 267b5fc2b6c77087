// Metadata forwarding: one leader-only component holding both forwarders, their send log and
// their status rows.
import type { ControllerContext } from "../context";
import { MetadataForwarding } from "./forwarding";

export function setupMetadata(ctx: ControllerContext): MetadataForwarding {
  const forwarding = new MetadataForwarding({
    client: ctx.client,
    informers: ctx.informers,
    db: ctx.db,
    log: ctx.log.child({ component: "metadata" }),
    cluster: ctx.cluster,
    controllerId: ctx.config.FLEETDECK_CONTROLLER_ID,
    config: ctx.config.metadata,
    events: ctx.events,
  });
  ctx.components.add({
    name: "metadata-forwarding",
    leaderOnly: true,
    start: () => forwarding.start(),
    stop: () => forwarding.stop(),
  });
  return forwarding;
}
