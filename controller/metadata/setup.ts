// Metadata forwarding's entry point for main.ts: one leader-only component.
import type { ControllerContext } from "../context";
import { loadMetadataConfig } from "./config";
import { MetadataForwarding } from "./forwarding";

export function setupMetadata(ctx: ControllerContext): MetadataForwarding {
  const forwarding = new MetadataForwarding({
    kc: ctx.kc,
    informers: ctx.informers,
    db: ctx.db,
    log: ctx.log.child({ component: "metadata" }),
    cluster: ctx.cluster,
    controllerId: ctx.config.FLEETDECK_CONTROLLER_ID,
    config: loadMetadataConfig(),
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
