// Per-user authorization (FLEETDECK_AUTHZ=kubernetes): the check the command consumer makes
// before applying a command, and the refresher of the answers the dashboard shows on its
// buttons. With authorization off, the leader clears any answers an earlier run left.
import type { ControllerContext } from "../context";
import { allowEveryone, kubernetesAuthorizer, type Authorize } from "./authorizer";
import { AccessRefresher } from "./controller";
import { AccessReadModel } from "./read-model";

/** Sets authorization up; returns what the command consumer asks before each command. */
export function setupAccess(ctx: ControllerContext): Authorize {
  const log = ctx.log.child({ component: "access" });
  const config = ctx.config.access;
  const readModel = new AccessReadModel(ctx.db, ctx.cluster.clusterId);
  if (config.FLEETDECK_AUTHZ === "none") {
    log.info("authorization is off (FLEETDECK_AUTHZ=none): every signed-in actor has the controller's power");
    ctx.manager.add({
      name: "access-answers-cleared",
      leaderOnly: true,
      start: () =>
        void readModel
          .clear()
          .catch((error: Error) => log.warn({ err: error.message }, "cannot clear answers")),
      stop: () => {},
    });
    return allowEveryone;
  }
  log.info(
    { refreshMs: config.FLEETDECK_AUTHZ_REFRESH },
    "authorization is on (FLEETDECK_AUTHZ=kubernetes): commands are reviewed for their actor",
  );
  const refresher = new AccessRefresher({
    client: ctx.client,
    informers: ctx.informers,
    readModel,
    refreshMs: config.FLEETDECK_AUTHZ_REFRESH,
    log,
  });
  ctx.manager.add(refresher.controller);
  ctx.manager.add(refresher.rbacWatch);
  ctx.manager.every("access-subjects", 1_000, () => refresher.pollSubjects(), { leaderOnly: true });
  return kubernetesAuthorizer(ctx.client);
}
