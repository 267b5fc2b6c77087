"use client";

import { useId, useMemo, useState } from "react";
import { refusalOf } from "@/lib/access";
import { GRACE_SECONDS, THRESHOLD_PERCENT, experimentId as experimentIdSchema } from "@/lib/commands";
import { parseExperimentConfig } from "@/components/lib/experiment-config";
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
  const ids = { config: useId(), problems: useId(), gateHelp: useId() };

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
  // Deleted is the dashboard's to say; then the viewer's permission (the controller's stored
  // answer); the rest is the controller's rule (lib/experiments.ts).
  const blocked = agent.deleted
    ? "this DatadogAgent no longer exists"
    : (refusalOf(agent.permission) ??
      refusal(canStart(agentStatusOf(agent), idCheck.success ? idCheck.data : id)));
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
              clusterId: agent.clusterId,
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
          <TextInput
            label="Experiment id"
            value={id}
            onChange={setId}
            placeholder="generated: exp-<date>-<time>"
            problem={idProblem}
          />
          <TextInput
            label="Timeout (seconds, optional)"
            numeric
            value={timeout}
            onChange={setTimeoutText}
            placeholder="1800"
            problem={timeoutError}
            help="Rolled back automatically after this long unless promoted (default 30 minutes)."
          />
        </div>
        <fieldset className="rounded-md border border-slate-200 p-3" aria-describedby={ids.gateHelp}>
          <legend className="px-1 text-sm font-medium text-slate-700">Health gate</legend>
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={gateOn} onChange={(e) => setGateOn(e.target.checked)} />
            Roll back by itself when the candidate&apos;s pods fail
          </label>
          <div className="mt-2 grid gap-3 sm:grid-cols-2">
            <TextInput
              label="Unavailable pods allowed (%, optional)"
              numeric
              value={threshold}
              onChange={setThreshold}
              placeholder="controller default (10)"
              problem={thresholdError}
            />
            <TextInput
              label="Grace (seconds, optional)"
              numeric
              value={grace}
              onChange={setGrace}
              placeholder="controller default (120)"
              problem={graceError}
            />
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

/** A labelled text input with its problem (red) or its help below it. */
function TextInput({
  label,
  value,
  onChange,
  placeholder,
  problem,
  help,
  numeric = false,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder: string;
  problem: string | null;
  help?: string;
  numeric?: boolean;
}) {
  const id = useId();
  const below = problem ?? help;
  return (
    <label htmlFor={id} className="block text-sm">
      <span className="font-medium text-slate-700">{label}</span>
      <input
        id={id}
        value={value}
        placeholder={placeholder}
        inputMode={numeric ? "numeric" : undefined}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={problem !== null}
        aria-describedby={below ? `${id}-below` : undefined}
        className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1 font-mono text-sm"
      />
      {below && (
        <span id={`${id}-below`} className={`text-xs ${problem ? "text-rose-700" : "text-slate-500"}`}>
          {below}
        </span>
      )}
    </label>
  );
}
