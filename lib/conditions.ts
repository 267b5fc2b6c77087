// Status conditions as Kubernetes defines them (metav1.Condition), shared by every status
// fleetdeck writes and the pages that show them. A writer owns some condition types and merges
// them into what the object has, so conditions other writers set are kept.
export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  /** The object's generation the condition was set from. */
  observedGeneration?: number;
}

/**
 * `desired` merged into `existing`: conditions of other types (set by someone else) are kept,
 * and lastTransitionTime only moves when a condition's status changes (Kubernetes' rule).
 */
export function mergeConditions(
  existing: Condition[] | undefined,
  desired: Condition[],
  now: Date,
): Condition[] {
  const byType = new Map((existing ?? []).map((c) => [c.type, c]));
  const merged = (existing ?? []).filter((c) => !desired.some((d) => d.type === c.type));
  for (const d of desired) {
    const old = byType.get(d.type);
    merged.push({
      ...d,
      lastTransitionTime:
        old && old.status === d.status && old.lastTransitionTime ? old.lastTransitionTime : metaTime(now),
    });
  }
  return merged.sort((a, b) => a.type.localeCompare(b.type));
}

/** Whether two condition lists say the same (ignoring order). */
export function sameConditions(a: Condition[] | undefined, b: Condition[]): boolean {
  const norm = (list: Condition[]) =>
    JSON.stringify(
      [...list]
        .sort((x, y) => x.type.localeCompare(y.type))
        .map((c) => [
          c.type,
          c.status,
          c.reason ?? "",
          c.message ?? "",
          c.lastTransitionTime ?? "",
          c.observedGeneration ?? null,
        ]),
    );
  return norm(a ?? []) === norm(b);
}

/** metav1.Time precision: RFC 3339 in whole seconds, as the API server keeps it. */
export function metaTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
