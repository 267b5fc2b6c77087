"use client";

import { pingController } from "@/server/actions/ping-controller";
import { CommandStatus } from "@/components/commands/command-status";
import { useCommandAction } from "@/components/commands/use-command-action";

export function PingButton() {
  const { pending, commandId, error, send } = useCommandAction();
  return (
    <div className="flex flex-wrap items-center gap-3">
      <button
        type="button"
        disabled={pending}
        onClick={() => send(pingController)}
        className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-50 disabled:opacity-60"
      >
        Ping controller
      </button>
      <CommandStatus id={commandId} error={error} />
    </div>
  );
}
