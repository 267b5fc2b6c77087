import { Badge, type Tone } from "@/components/ui/badge";

const TONES: Record<string, Tone> = {
  none: "neutral",
  running: "info",
  terminated: "warn",
  aborted: "bad",
  promoted: "good",
};

/**
 * An experiment phase as the operator names it ("none" when no experiment), with its
 * terminationReason when it has one ("terminated · timed_out").
 */
export function PhaseBadge({ phase, reason }: { phase: string; reason?: string | null }) {
  return (
    <span data-testid="phase" data-phase={phase} data-reason={reason ?? undefined}>
      <Badge tone={TONES[phase] ?? "neutral"}>
        {phase === "none" ? "no experiment" : reason ? `${phase} · ${reason}` : phase}
      </Badge>
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
