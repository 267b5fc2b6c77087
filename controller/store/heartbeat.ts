import os from "node:os";
import type { Database } from "../../lib/db/open";
import { withRetry } from "../../lib/db/open";
import { TOPICS } from "../../lib/topics";
import { FLEETDECK_VERSION } from "../../lib/version";
import type { AccessConfig } from "../access/config";
import type { ClusterIdentity } from "../kube/cluster";
import { recordChange } from "./changes";

/**
 * This controller's row, written every few seconds (./setup.ts) so the dashboard can tell a
 * live controller from a dead one (a stale lastSeenAt), which cluster it talks to, whether it
 * leads, and whether it reviews commands for their actor (FLEETDECK_AUTHZ); the last write
 * marks it stopped, so the dashboard says "stopped" at once rather than "stale" later.
 */
export class HeartbeatWriter {
  private readonly startedAt = new Date();

  constructor(
    private readonly db: Database,
    private readonly controllerId: string,
    private readonly cluster: ClusterIdentity,
    private readonly isLeader: () => boolean,
    private readonly authorizationMode: AccessConfig["FLEETDECK_AUTHZ"],
  ) {}

  async beat(stopped = false): Promise<void> {
    const now = new Date();
    const row = {
      hostname: os.hostname(),
      pid: process.pid,
      version: FLEETDECK_VERSION,
      isLeader: !stopped && this.isLeader(),
      clusterId: this.cluster.clusterId,
      kubernetesVersion: this.cluster.kubernetesVersion,
      apiServer: this.cluster.server,
      lastSeenAt: now,
      stoppedAt: stopped ? now : null,
      authorizationMode: this.authorizationMode,
    };
    await withRetry(() =>
      this.db.$transaction([
        this.db.controllerHeartbeat.upsert({
          where: {
            clusterId_controllerId: { clusterId: this.cluster.clusterId, controllerId: this.controllerId },
          },
          create: { controllerId: this.controllerId, startedAt: this.startedAt, ...row },
          update: row,
        }),
        recordChange(this.db, TOPICS.controller, this.controllerId),
      ]),
    );
  }
}
