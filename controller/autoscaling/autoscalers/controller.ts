// Status of every DatadogPodAutoscaler and cluster profile, written by the leader through the
// status subresource (merge patches carrying the resourceVersion read, so a concurrent write is
// a conflict retried through the queue). Level-triggered: each reconcile re-reads the object
// from the informer, resolves its target, and patches only when the status would change.
// Targets are not watched; every autoscaler is re-resolved each resync period instead.
import {
  AUTOSCALER_REASONS,
  DPA_API_VERSION,
  DPACP_KIND,
  DPA_KIND,
  PROFILE_LABEL,
  type Condition,
} from "../../../lib/autoscaling";
import { mergeConditions, sameConditions } from "../../../lib/conditions";
import type { Database } from "../../../lib/db/open";
import { withRetry } from "../../../lib/db/open";
import { recordAudit } from "../../store/audit";
import { describeKubeError, resourcePath, type KubeClient } from "../../kube/client";
import type { Result } from "../../kube/controller";
import type { EventRecorder } from "../../kube/events";
import type { Informer, KubeObject } from "../../kube/informer";
import type { Logger } from "../../log";
import {
  autoscalerConditions,
  profileValidCondition,
  specProblem,
  templateHash,
  type AutoscalerSpec,
  type ProfileTemplate,
  type TargetLookup,
  type TargetRef,
} from "./status";
import type { StatusKey } from "./keys";
import type { TargetResolver } from "./targets";

export interface AutoscalerObject extends KubeObject {
  spec?: AutoscalerSpec;
  status?: { currentReplicas?: number; conditions?: Condition[] };
}

export interface ProfileObject extends KubeObject {
  spec?: { template?: ProfileTemplate };
  status?: { templateHash?: string; controlledAutoscalers?: number; conditions?: Condition[] };
}

const GROUP = "datadoghq.com";
const VERSION = "v1alpha2";

/** Reconciles the status of autoscalers and cluster profiles (./keys.ts), reading both from their informers. */
export class AutoscalerStatusReconciler {
  constructor(
    private readonly client: KubeClient,
    private readonly autoscalers: Informer<AutoscalerObject>,
    private readonly profiles: Informer<ProfileObject>,
    private readonly resolver: TargetResolver,
    private readonly events: EventRecorder,
    private readonly db: Database,
    private readonly clusterId: string,
    private readonly resyncMs: number,
    private readonly log: Logger,
  ) {}

  readonly reconcile = async (key: StatusKey): Promise<Result> =>
    key.kind === "profile"
      ? this.reconcileProfile(key.name)
      : this.reconcileAutoscaler(`${key.namespace}/${key.name}`);

  private async reconcileAutoscaler(cacheKey: string): Promise<{ requeueAfterMs: number } | void> {
    const dpa = this.autoscalers.get(cacheKey);
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
    await this.client.patchStatus(
      resourcePath({
        group: GROUP,
        version: VERSION,
        resource: "datadogpodautoscalers",
        namespace,
        name: dpa.metadata.name,
      }),
      {
        metadata: { resourceVersion: dpa.metadata.resourceVersion },
        status: { currentReplicas, conditions },
      },
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
    await withRetry(() =>
      this.db.$transaction((tx) =>
        recordAudit(tx, this.clusterId, {
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
    await this.client.patchStatus(
      resourcePath({ group: GROUP, version: VERSION, resource: "datadogpodautoscalerclusterprofiles", name }),
      {
        metadata: { resourceVersion: profile.metadata.resourceVersion },
        status: { templateHash: hash, controlledAutoscalers: controlled, conditions },
      },
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
