"use client";

import { useId, useMemo, useState } from "react";
import { GRACE_SECONDS, THRESHOLD_PERCENT, experimentId as experimentIdSchema } from "@/lib/commands";
import { parseExperimentConfig } from "@/lib/experiment-config";
import { canStart, refusal } from "@/lib/experiments";
import { applyMergePatch } from "@/lib/merge-patch";
import { agentStatusOf } from "@/lib/read-model/agents";
import type { AgentDetailDto } from "@/server/queries/agents";
import { startExperiment } from "@/server/actions/start-experiment";
import { CommandStatus } from "@/components/commands/command-status";
import { useCommandAction } from "@/components/commands/use-command-action";
import { SpecDiff } from "@/components/revisions/spec-diff";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";

const PLACEHOLDER = `# A partial spec, merged into the current one (JSON merge patch).
# null removes a field. YAML or JSON.
features:
  logCollection:
    enabled: true`;

/** The id used when the field is left empty, e.g. exp-20260301-120000. */
function generatedId(): string {
  return `exp-${new Date().toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-")}`;
}

/** Why an optional whole-number field is invalid, or null (empty: the default). */
function wholeNumberProblem(value: string, min: number, max: number, unit: string): string | null {
  if (value.trim() === "") return null;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) return `a whole number of ${unit} from ${min} to ${max}`;
  return null;
}

const optionalNumber = (value: string) => (value.trim() ? Number(value) : undefined);

/** The start form: a YAML/JSON editor validated as you type, with a preview of the change. */
export function StartExperimentForm({ agent }: { agent: AgentDetailDto }) {
  const [id, setId] = useState("");
  const [text, setText] = useState("");
  const [timeout, setTimeoutText] = useState("");
  const [gateOn, setGateOn] = useState(true);
  const [threshold, setThreshold] = useState("");
  const [grace, setGrace] = useState("");
  const { pending, commandId, error, send } = useCommandAction();
  const ids = {
    id: useId(),
    config: useId(),
    problems: useId(),
    timeout: useId(),
    timeoutHelp: useId(),
    threshold: useId(),
    grace: useId(),
    gateHelp: useId(),
  };

  const parsed = useMemo(() => (text.trim() === "" ? null : parseExperimentConfig(text)), [text]);
  const idCheck = experimentIdSchema.safeParse(id || generatedId());
  const idProblem = id === "" || idCheck.success ? null : (idCheck.error.issues[0]?.message ?? "invalid id");
  const timeoutError = wholeNumberProblem(timeout, 10, 7 * 24 * 3600, "seconds");
  const thresholdError = wholeNumberProblem(
    threshold,
    THRESHOLD_PERCENT.min,
    THRESHOLD_PERCENT.max,
    "percent",
  );
  const graceError = wholeNumberProblem(grace, GRACE_SECONDS.min, GRACE_SECONDS.max, "seconds");
  // Deleted is the dashboard's to say; the rest is the controller's rule (lib/experiments.ts).
  const blocked = agent.deleted
    ? "this DatadogAgent no longer exists"
    : refusal(canStart(agentStatusOf(agent), idCheck.success ? idCheck.data : id));
  const valid =
    !!parsed?.ok &&
    idCheck.success &&
    timeoutError === null &&
    thresholdError === null &&
    graceError === null;

  return (
    <Card title="Start an experiment">
      <form
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          if (!valid || blocked) return;
          send(() =>
            startExperiment({
              target: agent.key,
              experimentId: id || generatedId(),
              configText: text,
              timeoutSeconds: timeout.trim() ? Number(timeout) : null,
              healthGate: {
                enabled: gateOn,
                thresholdPercent: optionalNumber(threshold),
                graceSeconds: optionalNumber(grace),
              },
            }),
          );
        }}
      >
        <div className="grid gap-3 sm:grid-cols-2">
          <label htmlFor={ids.id} className="block text-sm">
            <span className="font-medium text-slate-700">Experiment id</span>
            <input
              id={ids.id}
              value={id}
              placeholder="generated: exp-<date>-<time>"
              onChange={(e) => setId(e.target.value)}
              aria-invalid={idProblem !== null}
              className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1 font-mono text-sm"
            />
            {idProblem && <span className="text-xs text-rose-700">{idProblem}</span>}
          </label>
          <label htmlFor={ids.timeout} className="block text-sm">
            <span className="font-medium text-slate-700">Timeout (seconds, optional)</span>
            <input
              id={ids.timeout}
              inputMode="numeric"
              value={timeout}
              placeholder="1800"
              onChange={(e) => setTimeoutText(e.target.value)}
              aria-invalid={timeoutError !== null}
              aria-describedby={ids.timeoutHelp}
              className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1 font-mono text-sm"
            />
            <span
              id={ids.timeoutHelp}
              className={`text-xs ${timeoutError ? "text-rose-700" : "text-slate-500"}`}
            >
              {timeoutError ??
                "Rolled back automatically after this long unless promoted (default 30 minutes)."}
            </span>
          </label>
        </div>
        <fieldset className="rounded-md border border-slate-200 p-3" aria-describedby={ids.gateHelp}>
          <legend className="px-1 text-sm font-medium text-slate-700">Health gate</legend>
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={gateOn} onChange={(e) => setGateOn(e.target.checked)} />
            Roll back by itself when the candidate&apos;s pods fail
          </label>
          <div className="mt-2 grid gap-3 sm:grid-cols-2">
            <label htmlFor={ids.threshold} className="block text-sm">
              <span className="text-slate-700">Unavailable pods allowed (%, optional)</span>
              <input
                id={ids.threshold}
                inputMode="numeric"
                value={threshold}
                placeholder="controller default (10)"
                onChange={(e) => setThreshold(e.target.value)}
                aria-invalid={thresholdError !== null}
                className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1 font-mono text-sm"
              />
              {thresholdError && <span className="text-xs text-rose-700">{thresholdError}</span>}
            </label>
            <label htmlFor={ids.grace} className="block text-sm">
              <span className="text-slate-700">Grace (seconds, optional)</span>
              <input
                id={ids.grace}
                inputMode="numeric"
                value={grace}
                placeholder="controller default (120)"
                onChange={(e) => setGrace(e.target.value)}
                aria-invalid={graceError !== null}
                className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1 font-mono text-sm"
              />
              {graceError && <span className="text-xs text-rose-700">{graceError}</span>}
            </label>
          </div>
          <p id={ids.gateHelp} className="mt-2 text-xs text-slate-500">
            When more than this share of the candidate revision&apos;s pods (at least one) stay unavailable
            longer than the grace, the experiment is rolled back to the baseline; while it is unhealthy it
            cannot be promoted.
          </p>
        </fieldset>
        <label htmlFor={ids.config} className="block text-sm">
          <span className="font-medium text-slate-700">Config (YAML or JSON)</span>
          <textarea
            id={ids.config}
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder={PLACEHOLDER}
            rows={8}
            spellCheck={false}
            aria-invalid={parsed !== null && !parsed.ok}
            aria-describedby={ids.problems}
            className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1 font-mono text-xs"
          />
        </label>
        <div id={ids.problems} aria-live="polite">
          {parsed && !parsed.ok && (
            <ul className="space-y-0.5 text-xs text-rose-700" data-testid="config-problems">
              {parsed.problems.map((p, i) => (
                <li key={i}>
                  {p.line !== undefined && <span className="font-medium">line {p.line}: </span>}
                  {p.message}
                </li>
              ))}
            </ul>
          )}
        </div>
        {parsed?.ok && (
          <SpecDiff
            from={agent.spec}
            to={applyMergePatch(agent.spec, parsed.config)}
            fromLabel="current spec"
            toLabel="candidate"
          />
        )}
        <div className="flex flex-wrap items-center gap-3">
          <Button type="submit" variant="primary" disabled={!valid || blocked !== null || pending}>
            Start experiment
          </Button>
          {blocked && <span className="text-sm text-slate-600">Not now: {blocked}.</span>}
          <CommandStatus id={commandId} error={error} />
        </div>
      </form>
    </Card>
  );
}
