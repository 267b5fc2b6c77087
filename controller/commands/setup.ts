// The command consumer, the leader's last runnable: woken by the doorbell every command insert
// rings (lib/db/doorbell.ts), and looking every second anyway.
import { watchDoorbell } from "../../lib/db/doorbell";
import { storeOf } from "../../lib/db/open";
import type { Authorize } from "../access/authorizer";
import type { ControllerContext } from "../context";
import { CommandConsumer, consumeCommands } from "./consumer";
import { pingHandler } from "./ping";
import { CommandStore } from "./store";

export function setupCommands(ctx: ControllerContext, authorize: Authorize): void {
  const { config, cluster } = ctx;
  ctx.commands.register("ping", pingHandler(config.FLEETDECK_CONTROLLER_ID));
  const consumer = new CommandConsumer(
    new CommandStore(ctx.db, cluster.clusterId, config.FLEETDECK_CONTROLLER_ID),
    ctx.commands,
    ctx.log.child({ component: "commands" }),
    { authorize },
  );
  const store = storeOf(ctx.db);
  consumeCommands(ctx.manager, consumer, {
    changes: store ? (onChange) => watchDoorbell(store, cluster.clusterId, onChange) : undefined,
  });
}
