import { Badge, type Tone } from "@/components/ui/badge";

const TONES: Record<string, Tone> = {
  none: "neutral",
  running: "info",
  rollback: "warn",
  timeout: "warn",
  aborted: "bad",
  promoted: "good",
};

/** An experiment phase as upstream names it ("none" when no experiment). */
export function PhaseBadge({ phase }: { phase: string }) {
  return (
    <span data-testid="phase" data-phase={phase}>
      <Badge tone={TONES[phase] ?? "neutral"}>{phase === "none" ? "no experiment" : phase}</Badge>
    </span>
  );
}

const OUTCOME_TONES: Record<string, Tone> = {
  promoted: "good",
  "rolled-back": "warn",
  "timed-out": "warn",
  aborted: "bad",
};

export function OutcomeBadge({ outcome }: { outcome: string | null }) {
  return (
    <Badge tone={outcome ? (OUTCOME_TONES[outcome] ?? "neutral") : "info"}>{outcome ?? "running"}</Badge>
  );
}
