"use client";

import { Badge, type Tone } from "@/components/ui/badge";
import { useCommandStatus } from "./use-command-status";

const LOOK: Record<string, { label: string; tone: Tone }> = {
  pending: { label: "requested", tone: "info" },
  applying: { label: "applying", tone: "info" },
  applied: { label: "applied", tone: "good" },
  ignored: { label: "ignored", tone: "warn" },
  rejected: { label: "rejected", tone: "bad" },
};

/** "requested → applied (or the reason it was refused)", announced to screen readers. */
export function CommandStatus({ id, error }: { id: number | null; error?: string | null }) {
  const { data } = useCommandStatus(id);
  if (error) {
    return (
      <p role="status" aria-live="polite" className="text-sm text-rose-700">
        {error}
      </p>
    );
  }
  if (id === null) return <p role="status" aria-live="polite" className="sr-only" />;
  const status = data?.status ?? "pending";
  const look = LOOK[status] ?? { label: status, tone: "neutral" as Tone };
  return (
    <p
      role="status"
      aria-live="polite"
      data-testid="command-status"
      data-status={status}
      className="flex items-center gap-2 text-sm"
    >
      <Badge tone={look.tone}>{look.label}</Badge>
      <span className="text-slate-700">
        {data?.message ??
          (data && status === "pending" && !data.controllerReporting
            ? `no controller is reporting in cluster ${data.clusterName}: command #${id} stays pending until one does`
            : `command #${id} is waiting for the controller`)}
      </span>
    </p>
  );
}
