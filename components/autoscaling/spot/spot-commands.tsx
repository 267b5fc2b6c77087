"use client";

import { useState } from "react";
import { refusalOf } from "@/lib/access";
import { disableSpot } from "@/server/actions/disable-spot";
import { enableSpot } from "@/server/actions/enable-spot";
import type { SpotWorkloadDto } from "@/server/queries/spot";
import { CommandStatus } from "@/components/commands/command-status";
import { useCommandAction } from "@/components/commands/use-command-action";

/** "Re-enable spot now" and "Disable spot for N minutes", each followed requested → applied. */
export function SpotCommands({ workload, disabled }: { workload: SpotWorkloadDto; disabled: boolean }) {
  const { pending, commandId, error, send: run } = useCommandAction();
  const [minutes, setMinutes] = useState("30");
  const target = `${workload.namespace}/${workload.name}`;
  const parsedMinutes = Number(minutes);
  const minutesValid = Number.isInteger(parsedMinutes) && parsedMinutes >= 1 && parsedMinutes <= 7 * 24 * 60;
  // The viewer's permission, as the controller last asked the API server.
  const denied = refusalOf(workload.permission);

  const button =
    "rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-50 disabled:opacity-50";
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-end gap-3">
        <button
          type="button"
          className={button}
          disabled={pending || !disabled || denied !== null}
          title={denied ?? (disabled ? undefined : "Spot is not disabled for this workload")}
          onClick={() => run(() => enableSpot(workload.clusterId, target, workload.kind))}
        >
          Re-enable spot now
        </button>
        <form
          className="flex items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            if (minutesValid && !denied)
              run(() => disableSpot(workload.clusterId, target, workload.kind, parsedMinutes));
          }}
        >
          <label className="text-xs text-slate-600">
            Minutes
            <input
              type="number"
              min={1}
              max={7 * 24 * 60}
              step={1}
              value={minutes}
              onChange={(e) => setMinutes(e.target.value)}
              aria-invalid={!minutesValid}
              className="mt-0.5 block w-20 rounded-md border border-slate-300 px-2 py-1 text-sm"
            />
          </label>
          <button
            type="submit"
            className={button}
            disabled={pending || !minutesValid || denied !== null}
            title={denied ?? undefined}
          >
            Disable spot for {minutesValid ? parsedMinutes : "N"} minutes
          </button>
        </form>
      </div>
      {denied && <p className="text-sm text-slate-600">Not for you: {denied}.</p>}
      {!minutesValid && (
        <p className="text-sm text-rose-700">Enter a whole number of minutes from 1 to 10080 (7 days).</p>
      )}
      <CommandStatus id={commandId} error={error} />
    </div>
  );
}
