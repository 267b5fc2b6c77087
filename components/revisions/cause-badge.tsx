import { Badge, type Tone } from "@/components/ui/badge";

const CAUSE_TONES: Record<string, Tone> = {
  "user-edit": "neutral",
  "experiment-start": "info",
  rollback: "warn",
  timeout: "warn",
  restore: "info",
  promote: "good",
};

/** Why a revision became current (lib/agents.ts REVISION_CAUSES). */
export function CauseBadge({ cause }: { cause: string }) {
  return (
    <span className="whitespace-nowrap">
      <Badge tone={CAUSE_TONES[cause] ?? "neutral"}>{cause}</Badge>
    </span>
  );
}
