import type { RolloutState } from "@/lib/rollout";
import { Badge, type Tone } from "@/components/ui/badge";

const TONES: Record<RolloutState, Tone> = {
  healthy: "good",
  progressing: "info",
  degraded: "bad",
  unknown: "neutral",
};

const LABELS: Record<RolloutState, string> = {
  healthy: "healthy",
  progressing: "rolling out",
  degraded: "degraded",
  unknown: "no workloads yet",
};

/** One word for an agent's rollout (lib/rollout.ts rolloutState). */
export function RolloutStateBadge({ state }: { state: RolloutState }) {
  return (
    <span data-testid="rollout-state" data-state={state}>
      <Badge tone={TONES[state]}>{LABELS[state]}</Badge>
    </span>
  );
}

/** The short form of a revision: its hash (the last 10 characters of `<agent>-<hash>`). */
export function shortRevision(revision: string | null, hash?: string): string {
  return revision ? revision.slice(-10) : (hash ?? "?");
}
