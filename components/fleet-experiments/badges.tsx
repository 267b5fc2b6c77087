import type { FleetPhase, TargetState } from "@/lib/fleet-experiments";
import { Badge, type Tone } from "@/components/ui/badge";

const PHASE: Record<FleetPhase, { label: string; tone: Tone }> = {
  running: { label: "running", tone: "info" },
  "waiting-approval": { label: "waiting for approval", tone: "warn" },
  paused: { label: "paused", tone: "warn" },
  halting: { label: "halting: restoring", tone: "bad" },
  halted: { label: "halted", tone: "bad" },
  promoted: { label: "promoted everywhere", tone: "good" },
};

export function FleetPhaseBadge({ phase }: { phase: FleetPhase }) {
  const look = PHASE[phase] ?? { label: phase, tone: "neutral" as Tone };
  return (
    <span data-testid="fleet-phase" data-phase={phase}>
      <Badge tone={look.tone}>{look.label}</Badge>
    </span>
  );
}

const STATE: Record<TargetState, { label: string; tone: Tone }> = {
  waiting: { label: "waiting", tone: "neutral" },
  running: { label: "running", tone: "info" },
  baking: { label: "baking", tone: "info" },
  passed: { label: "passed", tone: "good" },
  failed: { label: "failed", tone: "bad" },
  restoring: { label: "restoring", tone: "warn" },
  restored: { label: "restored", tone: "good" },
  "restore-failed": { label: "restore failed", tone: "bad" },
  unreachable: { label: "unreachable", tone: "bad" },
  "not-reached": { label: "not reached", tone: "neutral" },
};

export function TargetStateBadge({ state }: { state: TargetState }) {
  const look = STATE[state] ?? { label: state, tone: "neutral" as Tone };
  return <Badge tone={look.tone}>{look.label}</Badge>;
}
