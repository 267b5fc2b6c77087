"use client";

import { useId, useMemo, useState } from "react";
import { refusalOf } from "@/lib/access";
import { experimentId as experimentIdSchema } from "@/lib/commands";
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

function timeoutProblem(value: string): string | null {
  if (value.trim() === "") return null;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 10 || n > 7 * 24 * 3600)
    return "a whole number of seconds from 10 to 604800";
  return null;
}

/** The start form: a YAML/JSON editor validated as you type, with a preview of the change. */
export function StartExperimentForm({ agent }: { agent: AgentDetailDto }) {
  const [id, setId] = useState("");
  const [text, setText] = useState("");
  const [timeout, setTimeoutText] = useState("");
  const { pending, commandId, error, send } = useCommandAction();
  const ids = { id: useId(), config: useId(), problems: useId(), timeout: useId(), timeoutHelp: useId() };

  const parsed = useMemo(() => (text.trim() === "" ? null : parseExperimentConfig(text)), [text]);
  const idCheck = experimentIdSchema.safeParse(id || generatedId());
  const idProblem = id === "" || idCheck.success ? null : (idCheck.error.issues[0]?.message ?? "invalid id");
  const timeoutError = timeoutProblem(timeout);
  // Deleted is the dashboard's to say; then the viewer's permission (the controller's stored
  // answer); the rest is the controller's rule (lib/experiments.ts).
  const blocked = agent.deleted
    ? "this DatadogAgent no longer exists"
    : (refusalOf(agent.permission) ??
      refusal(canStart(agentStatusOf(agent), idCheck.success ? idCheck.data : id)));
  const valid = !!parsed?.ok && idCheck.success && timeoutError === null;

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
