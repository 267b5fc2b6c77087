// The autoscalers' read model in the store (rows of this controller's cluster): a projection
// of the DatadogPodAutoscaler and cluster profile informers (spec and the status written by
// AutoscalerStatusController), flushed by the leader every half second (./setup.ts) when
// something changed, each write with its Change row.
import type { Database } from "../../../lib/db/open";
import { withRetry } from "../../../lib/db/open";
import { PROFILE_LABEL } from "../../../lib/autoscaling";
import { conditionsColumn, type AutoscalerRow, type ProfileRow } from "../../../lib/read-model/autoscaling";
import { TOPICS } from "../../../lib/topics";
import { recordChange } from "../../store/changes";
import type { Informer, KubeObject } from "../../kube/informer";
import { flushEveryRun } from "../../kube/periodic";
import type { AutoscalerObject, ProfileObject } from "./controller";

const created = (o: KubeObject) =>
  typeof o.metadata.creationTimestamp === "string" ? new Date(o.metadata.creationTimestamp) : null;

export function autoscalerRow(dpa: AutoscalerObject): AutoscalerRow {
  const spec = dpa.spec ?? {};
  return {
    key: `${dpa.metadata.namespace}/${dpa.metadata.name}`,
    namespace: dpa.metadata.namespace ?? "",
    name: dpa.metadata.name,
    targetApiVersion: spec.targetRef?.apiVersion ?? null,
    targetKind: spec.targetRef?.kind ?? "",
    targetName: spec.targetRef?.name ?? "",
    mode: spec.applyPolicy?.mode ?? null,
    owner: spec.owner ?? null,
    minReplicas: spec.constraints?.minReplicas ?? null,
    maxReplicas: spec.constraints?.maxReplicas ?? null,
    currentReplicas: dpa.status?.currentReplicas ?? null,
    profile: dpa.metadata.labels?.[PROFILE_LABEL] ?? null,
    conditions: conditionsColumn.encode(dpa.status?.conditions ?? []),
    createdAt: created(dpa),
  };
}

export function profileRow(profile: ProfileObject): ProfileRow {
  const template = profile.spec?.template;
  return {
    name: profile.metadata.name,
    mode: template?.applyPolicy?.mode ?? null,
    minReplicas: template?.constraints?.minReplicas ?? null,
    maxReplicas: template?.constraints?.maxReplicas ?? null,
    templateHash: profile.status?.templateHash ?? null,
    controlledAutoscalers: profile.status?.controlledAutoscalers ?? null,
    conditions: conditionsColumn.encode(profile.status?.conditions ?? []),
    createdAt: created(profile),
  };
}

export class AutoscalerReadModel {
  private written = new Map<string, string>();
  /** A leadership's first flush rewrites every row and drops rows of deleted objects. */
  private fullSync = true;

  constructor(
    private readonly db: Database,
    private readonly clusterId: string,
    private readonly autoscalers: Informer<AutoscalerObject>,
    private readonly profiles: Informer<ProfileObject>,
  ) {}

  /** The leader's periodic write; after the last one the next leadership starts afresh. */
  readonly sync = flushEveryRun(
    () => this.flush(),
    () => {
      this.written = new Map();
      this.fullSync = true;
    },
  );

  async flush(): Promise<void> {
    if (!this.autoscalers.hasSynced() || !this.profiles.hasSynced()) return;
    const autoscalers = this.autoscalers.list().map(autoscalerRow);
    const profiles = this.profiles.list().map(profileRow);
    const current = new Map<string, string>([
      ...autoscalers.map((r) => [`dpa:${r.key}`, JSON.stringify(r)] as const),
      ...profiles.map((r) => [`profile:${r.name}`, JSON.stringify(r)] as const),
    ]);
    const changedAutoscalers = autoscalers.filter(
      (r) => this.written.get(`dpa:${r.key}`) !== current.get(`dpa:${r.key}`),
    );
    const changedProfiles = profiles.filter(
      (r) => this.written.get(`profile:${r.name}`) !== current.get(`profile:${r.name}`),
    );
    const removed = [...this.written.keys()].some((k) => !current.has(k));
    if (!this.fullSync && !removed && changedAutoscalers.length === 0 && changedProfiles.length === 0) return;
    const now = new Date();
    const clusterId = this.clusterId;
    await withRetry(() =>
      this.db.$transaction(async (tx) => {
        for (const r of changedAutoscalers) {
          await tx.podAutoscaler.upsert({
            where: { clusterId_key: { clusterId, key: r.key } },
            create: { ...r, clusterId, updatedAt: now },
            update: { ...r, updatedAt: now },
          });
        }
        for (const r of changedProfiles) {
          await tx.podAutoscalerProfile.upsert({
            where: { clusterId_name: { clusterId, name: r.name } },
            create: { ...r, clusterId, updatedAt: now },
            update: { ...r, updatedAt: now },
          });
        }
        await tx.podAutoscaler.deleteMany({
          where: { clusterId, key: { notIn: autoscalers.map((r) => r.key) } },
        });
        await tx.podAutoscalerProfile.deleteMany({
          where: { clusterId, name: { notIn: profiles.map((r) => r.name) } },
        });
        await recordChange(tx, TOPICS.autoscaling, "autoscalers");
      }),
    );
    this.written = current;
    this.fullSync = false;
  }
}
