// Status of every DatadogPodAutoscaler and cluster profile, written by the leader through the
// status subresource (merge patches carrying the resourceVersion read, so a concurrent write is
// a conflict retried through the queue). Level-triggered: each reconcile re-reads the object
// from the informer, resolves its target, and patches only when the status would change.
// Targets are not watched; every autoscaler is re-resolved each resync period instead.
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from "@kubernetes/client-node";
import {
  AUTOSCALER_REASONS,
  DPA_API_VERSION,
  DPACP_KIND,
  DPA_KIND,
  PROFILE_LABEL,
  type Condition,
} from "../../../lib/autoscaling";
import type { Database } from "../../../lib/db/open";
import { withBusyRetry } from "../../../lib/db/open";
import { recordAudit } from "../../store/audit";
import { describeKubeError } from "../../kube/client";
import type { EventRecorder } from "../../kube/events";
import type { Informer, KubeObject } from "../../kube/informer";
import { WorkQueue } from "../../kube/workqueue";
import type { Logger } from "../../log";
import {
  autoscalerConditions,
  mergeConditions,
  profileValidCondition,
  sameConditions,
  specProblem,
  templateHash,
  type AutoscalerSpec,
  type ProfileTemplate,
  type TargetLookup,
  type TargetRef,
} from "./status";
import type { TargetResolver } from "./targets";

export interface AutoscalerObject extends KubeObject {
  spec?: AutoscalerSpec;
  status?: { currentReplicas?: number; conditions?: Condition[] };
}

export interface ProfileObject extends KubeObject {
  spec?: { template?: ProfileTemplate };
  status?: { templateHash?: string; controlledAutoscalers?: number; conditions?: Condition[] };
}

const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
const GROUP = "datadoghq.com";
const VERSION = "v1alpha2";

export class AutoscalerStatusController {
  private queue: WorkQueue | undefined;
  private readonly api: CustomObjectsApi;

  constructor(
    kc: KubeConfig,
    private readonly autoscalers: Informer<AutoscalerObject>,
    private readonly profiles: Informer<ProfileObject>,
    private readonly resolver: TargetResolver,
    private readonly events: EventRecorder,
    private readonly db: Database,
    private readonly resyncMs: number,
    private readonly log: Logger,
  ) {
    this.api = kc.makeApiClient(CustomObjectsApi);
    autoscalers.on("add", (dpa) => this.autoscalerChanged(undefined, dpa));
    autoscalers.on("update", (old, dpa) => this.autoscalerChanged(old, dpa));
    autoscalers.on("delete", (dpa) => this.autoscalerChanged(dpa, undefined));
    profiles.on("add", (p) => this.queue?.add(profileKey(p.metadata.name)));
    profiles.on("update", (_old, p) => this.queue?.add(profileKey(p.metadata.name)));
  }

  /** On becoming leader: a fresh queue with every cached object in it. */
  start(): void {
    this.queue = new WorkQueue({ name: "datadogpodautoscalers", workers: 2, timeoutMs: 30_000 }, this.log);
    for (const dpa of this.autoscalers.list()) this.queue.add(autoscalerKey(dpa));
    for (const p of this.profiles.list()) this.queue.add(profileKey(p.metadata.name));
    this.queue.start((key) => this.reconcile(key));
  }

  async stop(): Promise<void> {
    const queue = this.queue;
    this.queue = undefined;
    await queue?.shutdown();
  }

  private autoscalerChanged(old: AutoscalerObject | undefined, dpa: AutoscalerObject | undefined): void {
    if (dpa) this.queue?.add(autoscalerKey(dpa));
    // The profiles that counted (or now count) this autoscaler.
    for (const obj of [old, dpa]) {
      const profile = obj?.metadata.labels?.[PROFILE_LABEL];
      if (profile) this.queue?.add(profileKey(profile));
    }
  }

  private async reconcile(key: string): Promise<{ requeueAfterMs: number } | void> {
    if (key.startsWith("profile:")) return this.reconcileProfile(key.slice("profile:".length));
    return this.reconcileAutoscaler(key.slice("dpa:".length));
  }

  private async reconcileAutoscaler(key: string): Promise<{ requeueAfterMs: number } | void> {
    const dpa = this.autoscalers.get(key);
    if (!dpa) return; // deleted
    const namespace = dpa.metadata.namespace ?? "";
    const lookup = await this.lookup(namespace, dpa.spec);
    const conditions = mergeConditions(dpa.status?.conditions, autoscalerConditions(lookup), new Date());
    const currentReplicas = lookup.found ? lookup.replicas : null;
    if (
      sameConditions(dpa.status?.conditions, conditions) &&
      (dpa.status?.currentReplicas ?? null) === currentReplicas
    ) {
      return { requeueAfterMs: this.resyncMs };
    }
    await this.api.patchNamespacedCustomObjectStatus(
      {
        group: GROUP,
        version: VERSION,
        namespace,
        plural: "datadogpodautoscalers",
        name: dpa.metadata.name,
        body: {
          metadata: { resourceVersion: dpa.metadata.resourceVersion },
          status: { currentReplicas, conditions },
        },
      },
      mergePatch,
    );
    const wasError = dpa.status?.conditions?.find((c) => c.type === "Error");
    const isError = conditions.find((c) => c.type === "Error")!;
    if (
      (wasError?.status ?? "False") !== isError.status ||
      (isError.status === "True" && wasError?.reason !== isError.reason)
    ) {
      await this.reportErrorTransition(dpa, isError);
    }
    return { requeueAfterMs: this.resyncMs };
  }

  private async lookup(namespace: string, spec: AutoscalerSpec | undefined): Promise<TargetLookup> {
    const problem = specProblem(spec);
    if (problem) return { found: false, reason: AUTOSCALER_REASONS.invalidSpec, message: problem };
    try {
      return await this.resolver.resolve(namespace, spec!.targetRef as Required<TargetRef>);
    } catch (error) {
      return {
        found: false,
        reason: AUTOSCALER_REASONS.targetLookupFailed,
        message: `cannot look the target up: ${describeKubeError(error)}`,
      };
    }
  }

  /** A Kubernetes Event on the autoscaler and an audit row each time Error turns on or off. */
  private async reportErrorTransition(dpa: AutoscalerObject, error: Condition): Promise<void> {
    const failing = error.status === "True";
    const target = `${dpa.metadata.namespace}/${dpa.metadata.name}`;
    this.log.info(
      { autoscaler: target, error: failing, reason: error.reason, message: error.message },
      "autoscaler status changed",
    );
    this.events.record({
      regarding: {
        apiVersion: DPA_API_VERSION,
        kind: DPA_KIND,
        name: dpa.metadata.name,
        namespace: dpa.metadata.namespace,
        uid: dpa.metadata.uid,
      },
      type: failing ? "Warning" : "Normal",
      reason: failing ? error.reason! : AUTOSCALER_REASONS.targetResolved,
      action: "ResolveTarget",
      note: failing ? error.message! : "target found; the autoscaler is active",
    });
    await withBusyRetry(() =>
      this.db.$transaction((tx) =>
        recordAudit(tx, {
          actor: "controller",
          action: failing ? "autoscaler.error" : "autoscaler.recovered",
          targetKind: DPA_KIND,
          target,
          details: { reason: error.reason, message: error.message },
        }),
      ),
    ).catch((e: Error) => this.log.warn({ err: e.message }, "audit row not written"));
  }

  private async reconcileProfile(name: string): Promise<{ requeueAfterMs: number } | void> {
    const profile = this.profiles.get(name);
    if (!profile) return;
    const template = profile.spec?.template;
    const conditions = mergeConditions(
      profile.status?.conditions,
      [profileValidCondition(template)],
      new Date(),
    );
    const hash = templateHash(template);
    const controlled = this.autoscalers
      .list()
      .filter((d) => d.metadata.labels?.[PROFILE_LABEL] === name).length;
    if (
      sameConditions(profile.status?.conditions, conditions) &&
      profile.status?.templateHash === hash &&
      profile.status?.controlledAutoscalers === controlled
    ) {
      return;
    }
    await this.api.patchClusterCustomObjectStatus(
      {
        group: GROUP,
        version: VERSION,
        plural: "datadogpodautoscalerclusterprofiles",
        name,
        body: {
          metadata: { resourceVersion: profile.metadata.resourceVersion },
          status: { templateHash: hash, controlledAutoscalers: controlled, conditions },
        },
      },
      mergePatch,
    );
    const valid = conditions.find((c) => c.type === "Valid")!;
    if (
      valid.status !== profile.status?.conditions?.find((c) => c.type === "Valid")?.status &&
      valid.status === "False"
    ) {
      this.events.record({
        regarding: { apiVersion: DPA_API_VERSION, kind: DPACP_KIND, name, uid: profile.metadata.uid },
        type: "Warning",
        reason: valid.reason!,
        action: "Validate",
        note: valid.message!,
      });
    }
  }
}

export function autoscalerKey(dpa: KubeObject): string {
  return `dpa:${dpa.metadata.namespace}/${dpa.metadata.name}`;
}

function profileKey(name: string): string {
  return `profile:${name}`;
}
