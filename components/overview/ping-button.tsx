"use client";

import { useState, useTransition } from "react";
import { pingController } from "@/server/actions/ping-controller";
import { CommandStatus } from "@/components/commands/command-status";
import { callCommandAction } from "@/components/commands/safe-action";

export function PingButton() {
  const [pending, startTransition] = useTransition();
  const [commandId, setCommandId] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="flex flex-wrap items-center gap-3">
      <button
        type="button"
        disabled={pending}
        onClick={() =>
          startTransition(async () => {
            setError(null);
            const result = await callCommandAction(pingController);
            if (result.ok) setCommandId(result.commandId);
            else setError(result.error);
          })
        }
        className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-50 disabled:opacity-60"
      >
        Ping controller
      </button>
      <CommandStatus id={commandId} error={error} />
    </div>
  );
}
