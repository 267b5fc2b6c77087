// What the fallback and the rebalancer do to the cluster, with the traces every decision
// leaves: evictions (logged, refused ones counted and retried later) and audit rows.
import type { Database } from "../../../lib/db/open";
import { withRetry } from "../../../lib/db/open";
import { describeKubeError } from "../../kube/client";
import type { Logger } from "../../log";
import { recordAudit } from "../../store/audit";
import type { CachedPod } from "../pod-cache";
import type { SpotEvents } from "./events";
import type { EvictionOutcome, PodEvictor } from "./evictor";
import { spotMetrics } from "./metrics";
import { ownerKey, type PodOwner } from "./ownership";
import type { WorkloadPatcher } from "./workload-patcher";
import type { WorkloadRef } from "./workload-config";

export type SpotLoop = "fallback" | "rebalance" | "opt-out";

export class SpotActions {
  constructor(
    readonly evictor: PodEvictor,
    readonly patcher: WorkloadPatcher,
    readonly events: SpotEvents,
    private readonly db: Database,
    private readonly clusterId: string,
    private readonly controllerId: string,
    private readonly log: Logger,
  ) {}

  /** Evicts a pod for a loop; an API error is logged and reported as "failed", never thrown. */
  async evict(
    loop: SpotLoop,
    workload: WorkloadRef,
    owner: PodOwner,
    pod: CachedPod,
    onlyIfPhase?: string,
    details: Record<string, unknown> = {},
  ): Promise<EvictionOutcome | "failed"> {
    const { namespace, name } = pod.metadata;
    const log = this.log.child({ loop, pod: `${namespace}/${name}`, owner: ownerKey(owner) });
    let outcome: EvictionOutcome;
    try {
      outcome = await this.evictor.evict(namespace, name, onlyIfPhase);
    } catch (error) {
      log.error({ err: describeKubeError(error) }, "eviction failed; retrying on a later tick");
      return "failed";
    }
    if (outcome === "refused") {
      spotMetrics.evictionRefusals.inc({ loop });
      log.info("eviction refused by a PodDisruptionBudget (HTTP 429); retrying on a later tick");
    } else if (outcome === "evicted") {
      log.info(details, "evicted pod");
      await this.audit("spot.pod-evicted", workload, { loop, pod: name, ...details });
    }
    return outcome;
  }

  /** An audit row for a decision of the controller (never fails the caller). */
  async audit(action: string, workload: WorkloadRef, details: Record<string, unknown>): Promise<void> {
    try {
      await withRetry(() =>
        this.db.$transaction((tx) =>
          recordAudit(tx, this.clusterId, {
            actor: "controller",
            action,
            targetKind: workload.kind,
            target: `${workload.namespace}/${workload.name}`,
            details: { ...details, controller: this.controllerId },
          }),
        ),
      );
    } catch (error) {
      this.log.warn({ action, err: (error as Error).message }, "audit row not written");
    }
  }
}
