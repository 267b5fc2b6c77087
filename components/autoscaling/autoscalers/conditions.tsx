import type { Condition } from "@/lib/autoscaling";
import { Badge, type Tone } from "@/components/ui/badge";

/** Error=True is bad whatever else holds; Active/Valid=True good; anything else informative. */
function tone(c: Condition): Tone {
  if (c.type === "Error") return c.status === "True" ? "bad" : "neutral";
  if (c.status === "True") return "good";
  return c.status === "False" ? "warn" : "neutral";
}

export function Conditions({ conditions }: { conditions: Condition[] }) {
  if (conditions.length === 0) return <span className="text-slate-500">not reported yet</span>;
  return (
    <ul className="space-y-1">
      {conditions.map((c) => (
        <li
          key={c.type}
          data-testid="condition"
          data-type={c.type}
          data-status={c.status}
          data-reason={c.reason ?? ""}
        >
          <Badge tone={tone(c)}>
            {c.type}={c.status}
          </Badge>
          {c.reason && <span className="ml-1 text-xs text-slate-600">{c.reason}</span>}
          {c.message && c.status !== "False" && c.type === "Error" && (
            <span className="ml-1 text-xs text-rose-700">{c.message}</span>
          )}
          {c.message && c.type === "Valid" && c.status === "False" && (
            <span className="ml-1 text-xs text-rose-700">{c.message}</span>
          )}
        </li>
      ))}
    </ul>
  );
}
