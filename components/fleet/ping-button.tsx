"use client";

import { pingController } from "@/server/actions/ping-controller";
import { CommandStatus } from "@/components/commands/command-status";
import { useCommandAction } from "@/components/commands/use-command-action";

/** Sends a ping to a cluster's leader and shows its answer (or that nobody is there to answer). */
export function PingButton({ clusterId }: { clusterId: string }) {
  const { pending, commandId, error, send } = useCommandAction();
  return (
    <div className="flex flex-wrap items-center justify-end gap-3">
      <CommandStatus id={commandId} error={error} />
      <button
        type="button"
        disabled={pending}
        onClick={() => send(() => pingController(clusterId))}
        className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-50 disabled:opacity-60"
      >
        Ping controller
      </button>
    </div>
  );
}
