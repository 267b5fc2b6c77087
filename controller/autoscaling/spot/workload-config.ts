// Which workloads opted in to spot scheduling, and with which settings: two label-filtered
// informers (Deployments and StatefulSets labelled autoscaling.datadoghq.com/spot-enabled=true),
// each cached object reduced to its name, uid, replicas and the two spot annotations.
import type { Informer, KubeObject } from "../../kube/informer";
import type { InformerFactory } from "../../kube/informer-factory";
import {
  SPOT_CONFIG_ANNOTATION,
  SPOT_DISABLED_UNTIL_ANNOTATION,
  SPOT_ENABLED_LABEL,
  SPOT_ENABLED_VALUE,
  SPOT_WORKLOAD_KINDS,
  type SpotWorkloadKind,
} from "../../../lib/spot";

export interface WorkloadRef {
  kind: SpotWorkloadKind;
  namespace: string;
  name: string;
}

export function workloadKey(ref: WorkloadRef): string {
  return `${ref.kind}/${ref.namespace}/${ref.name}`;
}

export function parseWorkloadKey(key: string): WorkloadRef {
  const [kind, namespace = "", name = ""] = key.split("/");
  return { kind: kind as SpotWorkloadKind, namespace, name };
}

export interface SpotSettings {
  percentage: number;
  minOnDemand: number;
}

export interface CachedWorkload extends KubeObject {
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    resourceVersion?: string;
    annotations?: Record<string, string>;
  };
  spec: { replicas?: number };
}

export interface WorkloadConfig {
  ref: WorkloadRef;
  uid: string;
  replicas: number | undefined;
  settings: SpotSettings;
  /** Why the spot-config annotation was (partly) ignored, if it was. */
  configError: string | undefined;
  /** Epoch ms until which spot is disabled (annotation, or a fallback this process just decided). */
  disabledUntil: number | undefined;
}

function slimWorkload(raw: KubeObject): CachedWorkload {
  const m = raw.metadata;
  const annotations: Record<string, string> = {};
  for (const key of [SPOT_CONFIG_ANNOTATION, SPOT_DISABLED_UNTIL_ANNOTATION]) {
    const value = m.annotations?.[key];
    if (value !== undefined) annotations[key] = value;
  }
  return {
    metadata: {
      name: m.name,
      namespace: m.namespace ?? "",
      uid: m.uid ?? "",
      resourceVersion: m.resourceVersion,
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    spec: { replicas: (raw.spec as { replicas?: number } | undefined)?.replicas },
  };
}

/**
 * The spot-config annotation over the defaults. A missing field inherits the default; a field
 * out of range (percentage outside 0-100, a negative or fractional minimum) or an annotation
 * that is not a JSON object keeps the default and says why, for the dashboard and the log.
 */
export function parseSpotConfig(
  value: string | undefined,
  defaults: SpotSettings,
): { settings: SpotSettings; error?: string } {
  const settings = { ...defaults };
  if (value === undefined || value.trim() === "") return { settings };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return { settings, error: `${SPOT_CONFIG_ANNOTATION} is not valid JSON; using the defaults` };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { settings, error: `${SPOT_CONFIG_ANNOTATION} must be a JSON object; using the defaults` };
  }
  const errors: string[] = [];
  const { percentage, minOnDemandReplicas } = parsed as Record<string, unknown>;
  if (percentage !== undefined) {
    if (Number.isInteger(percentage) && (percentage as number) >= 0 && (percentage as number) <= 100)
      settings.percentage = percentage as number;
    else errors.push(`percentage must be an integer from 0 to 100 (using ${defaults.percentage})`);
  }
  if (minOnDemandReplicas !== undefined) {
    if (Number.isInteger(minOnDemandReplicas) && (minOnDemandReplicas as number) >= 0)
      settings.minOnDemand = minOnDemandReplicas as number;
    else errors.push(`minOnDemandReplicas must be a non-negative integer (using ${defaults.minOnDemand})`);
  }
  return errors.length > 0
    ? { settings, error: `${SPOT_CONFIG_ANNOTATION}: ${errors.join("; ")}` }
    : { settings };
}

/** The disabled-until annotation as epoch ms; unparsable (or absent) means enabled, as upstream. */
export function parseDisabledUntil(value: string | undefined): number | undefined {
  if (!value) return undefined;
  // RFC 3339: a date, "T", a time, and a zone ("Z" or ±hh:mm).
  if (!/^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(value.trim()))
    return undefined;
  const ms = Date.parse(value.trim());
  return Number.isNaN(ms) ? undefined : ms;
}

const RESOURCES: Record<SpotWorkloadKind, string> = {
  Deployment: "/apis/apps/v1/deployments",
  StatefulSet: "/apis/apps/v1/statefulsets",
};

export class WorkloadConfigCache {
  private readonly informers: Record<SpotWorkloadKind, Informer<CachedWorkload>>;
  /**
   * Disabled windows this process decided before the API server confirmed them: a fallback
   * sets one, then patches the annotation, so replacement pods admitted in between already go
   * on-demand (upstream does the same). Dropped once expired or cleared by enable-spot.
   */
  private readonly localDisabledUntil = new Map<string, number>();
  /**
   * Workloads that dropped the opt-in label (or were seen opted in by a previous leader, per
   * the read model) and may still have spot pods to move back to on-demand.
   */
  private readonly optedOut = new Set<string>();

  constructor(
    factory: InformerFactory,
    private readonly defaults: SpotSettings,
  ) {
    const informer = (kind: SpotWorkloadKind) =>
      factory.informer<CachedWorkload>({
        name: `spot-${kind.toLowerCase()}s`,
        path: RESOURCES[kind],
        labelSelector: `${SPOT_ENABLED_LABEL}=${SPOT_ENABLED_VALUE}`,
        transform: slimWorkload,
      });
    this.informers = { Deployment: informer("Deployment"), StatefulSet: informer("StatefulSet") };
    for (const kind of SPOT_WORKLOAD_KINDS) {
      const key = (obj: CachedWorkload) =>
        workloadKey({ kind, namespace: obj.metadata.namespace, name: obj.metadata.name });
      this.informers[kind]
        .on("add", (obj) => this.optedOut.delete(key(obj)))
        .on("delete", (obj) => this.optedOut.add(key(obj)));
    }
  }

  start(): void {
    for (const kind of SPOT_WORKLOAD_KINDS) this.informers[kind].start();
  }

  hasSynced(): boolean {
    return SPOT_WORKLOAD_KINDS.every((kind) => this.informers[kind].hasSynced());
  }

  /** Its informers, for readiness. */
  caches(): Informer<CachedWorkload>[] {
    return SPOT_WORKLOAD_KINDS.map((kind) => this.informers[kind]);
  }

  async waitForSync(signal?: AbortSignal): Promise<void> {
    await Promise.all(SPOT_WORKLOAD_KINDS.map((kind) => this.informers[kind].waitForSync(signal)));
  }

  /** Calls `handler` with the workload's key whenever an opted-in workload changes or opts out. */
  onChange(handler: (key: string) => void): void {
    for (const kind of SPOT_WORKLOAD_KINDS) {
      const key = (obj: CachedWorkload) =>
        workloadKey({ kind, namespace: obj.metadata.namespace, name: obj.metadata.name });
      this.informers[kind]
        .on("add", (obj) => handler(key(obj)))
        .on("update", (_old, obj) => handler(key(obj)))
        .on("delete", (obj) => handler(key(obj)));
    }
  }

  /** The opted-in workload's configuration, or undefined when it is not opted in. */
  get(ref: WorkloadRef, now = Date.now()): WorkloadConfig | undefined {
    const obj = this.informers[ref.kind]?.get(`${ref.namespace}/${ref.name}`);
    if (!obj) return undefined;
    return this.toConfig(ref, obj, now);
  }

  list(now = Date.now()): WorkloadConfig[] {
    return SPOT_WORKLOAD_KINDS.flatMap((kind) =>
      this.informers[kind]
        .list()
        .map((obj) =>
          this.toConfig({ kind, namespace: obj.metadata.namespace, name: obj.metadata.name }, obj, now),
        ),
    );
  }

  isDisabled(config: WorkloadConfig, now = Date.now()): boolean {
    return config.disabledUntil !== undefined && now < config.disabledUntil;
  }

  /**
   * Starts a disabled window for a workload unless one is running. Returns the window's end
   * and whether it is new (an existing window is not extended).
   */
  disable(ref: WorkloadRef, now: number, until: number): { until: number; updated: boolean } {
    const current = this.get(ref, now);
    if (current && this.isDisabled(current, now)) return { until: current.disabledUntil!, updated: false };
    this.localDisabledUntil.set(workloadKey(ref), until);
    return { until, updated: true };
  }

  /** Whether the spot scheduler has anything to do with the workload: opted in, or opted out. */
  isSpotWorkload(ref: WorkloadRef): boolean {
    return (
      this.optedOut.has(workloadKey(ref)) ||
      this.informers[ref.kind]?.get(`${ref.namespace}/${ref.name}`) !== undefined
    );
  }

  /** Whether the workload opted out and may still have spot pods to move back. */
  wasOptedOut(ref: WorkloadRef): boolean {
    return this.optedOut.has(workloadKey(ref));
  }

  /** Remembers workloads a previous leader knew as spot workloads, unless they are opted in now. */
  seedOptedOut(keys: string[]): void {
    for (const key of keys) if (!this.get(parseWorkloadKey(key))) this.optedOut.add(key);
  }

  /** Stops tracking opted-out workloads that `done` says have nothing left to move. */
  forgetOptedOut(done: (key: string) => boolean): void {
    for (const key of this.optedOut) if (done(key)) this.optedOut.delete(key);
  }

  /** Forgets a local window (after enable-spot removed the annotation, or a failed patch). */
  clearLocal(ref: WorkloadRef): void {
    this.localDisabledUntil.delete(workloadKey(ref));
  }

  private toConfig(ref: WorkloadRef, obj: CachedWorkload, now: number): WorkloadConfig {
    const annotations = obj.metadata.annotations ?? {};
    const { settings, error } = parseSpotConfig(annotations[SPOT_CONFIG_ANNOTATION], this.defaults);
    const fromAnnotation = parseDisabledUntil(annotations[SPOT_DISABLED_UNTIL_ANNOTATION]);
    const key = workloadKey(ref);
    let local = this.localDisabledUntil.get(key);
    // Expired, or confirmed by the annotation: the annotation speaks from now on.
    if (local !== undefined && (local <= now || (fromAnnotation !== undefined && fromAnnotation >= local))) {
      this.localDisabledUntil.delete(key);
      local = undefined;
    }
    const disabledUntil =
      local !== undefined && (fromAnnotation === undefined || local > fromAnnotation)
        ? local
        : fromAnnotation;
    return {
      ref,
      uid: obj.metadata.uid,
      replicas: obj.spec.replicas,
      settings,
      configError: error,
      disabledUntil,
    };
  }
}
