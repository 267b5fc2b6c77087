// The health gate of an experiment (docs/health.md), as a pure function of the candidate
// revision's pods and the time, so every rule is tested with a fake clock and a restarted
// controller decides from what the cluster holds (pod creation and Ready transition times).
//
// The rule: of the N candidate pods that exist, a pod is failing once it has been unavailable
// (not Ready) for `graceSeconds`, counted from its creation or from when its Ready condition
// last turned false, whichever is later. The gate trips when F failing pods are more than
// `thresholdPercent` of N and at least one: F × 100 > N × thresholdPercent and F ≥ 1.
import type { HealthGateSettings } from "../../lib/agents";
import type { GateVerdictState } from "../../lib/rollout";

export interface GatePod {
  name: string;
  node: string | null;
  ready: boolean;
  /** Since when it is unavailable (ignored while ready). */
  unavailableSince: Date;
  /** Why, e.g. "CrashLoopBackOff (Error, exit code 1)"; shown in the verdict. */
  reason: string;
}

export interface GateVerdict {
  state: GateVerdictState;
  pods: number;
  ready: number;
  unavailable: number;
  /** Pods unavailable for longer than the grace, longest first. */
  failing: GatePod[];
  /** When the gate trips if no pod recovers (progressing only). */
  tripsAt: Date | null;
  summary: string;
}

type GateRule = Pick<HealthGateSettings, "thresholdPercent" | "graceSeconds">;

/** How many failing pods out of `pods` trip the gate: the first count above the threshold, ≥ 1. */
export function tripCount(pods: number, thresholdPercent: number): number {
  return Math.floor((pods * thresholdPercent) / 100) + 1;
}

export function evaluateGate(pods: GatePod[], rule: GateRule, now: Date): GateVerdict {
  const graceMs = rule.graceSeconds * 1000;
  const unavailable = pods
    .filter((p) => !p.ready)
    .sort((a, b) => a.unavailableSince.getTime() - b.unavailableSince.getTime());
  const failing = unavailable.filter((p) => now.getTime() - p.unavailableSince.getTime() >= graceMs);
  const bar = tripCount(pods.length, rule.thresholdPercent);
  const counts = {
    pods: pods.length,
    ready: pods.length - unavailable.length,
    unavailable: unavailable.length,
  };

  if (failing.length >= bar) {
    return {
      state: "unhealthy",
      ...counts,
      failing,
      tripsAt: null,
      summary: `${failing.length} of ${pods.length} candidate pods unavailable for more than ${rule.graceSeconds} s (the gate allows ${bar - 1}): ${describePods(failing)}`,
    };
  }
  if (unavailable.length >= bar) {
    // The bar-th pod to have been unavailable that long trips it, unless pods recover first.
    const tripsAt = new Date(unavailable[bar - 1]!.unavailableSince.getTime() + graceMs);
    return {
      state: "progressing",
      ...counts,
      failing,
      tripsAt,
      summary: `${unavailable.length} of ${pods.length} candidate pods unavailable: ${describePods(unavailable)}; the gate trips at ${tripsAt.toISOString()} unless they become ready`,
    };
  }
  return {
    state: "healthy",
    ...counts,
    failing,
    tripsAt: null,
    summary:
      pods.length === 0
        ? "no candidate pod yet"
        : `${counts.ready} of ${pods.length} candidate pods ready` +
          (unavailable.length > 0
            ? ` (${unavailable.length} unavailable, within the gate's ${rule.thresholdPercent} %)`
            : ""),
  };
}

const LISTED = 5;

/** "pod-a on node-1: CrashLoopBackOff (Error, exit code 1), pod-b …, and 3 more". */
export function describePods(pods: GatePod[]): string {
  const named = pods.slice(0, LISTED).map((p) => `${p.name}${p.node ? ` on ${p.node}` : ""}: ${p.reason}`);
  const more = pods.length - named.length;
  return named.join("; ") + (more > 0 ? `; and ${more} more` : "");
}
