"use client";

import { useRouter } from "next/navigation";
import { useId, useMemo, useState, useTransition } from "react";
import { parseExperimentConfig } from "@/components/lib/experiment-config";
import type { FleetExperimentSpecInput } from "@/lib/fleet-experiments";
import { formatLabels, type Labels } from "@/lib/labels";
import { canonicalJson } from "@/lib/merge-patch";
import type { PlanPreviewDto } from "@/server/queries/fleet-experiments";
import { previewFleetExperiment } from "@/server/actions/preview-fleet-experiment";
import { startFleetExperiment } from "@/server/actions/start-fleet-experiment";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { fleetExperimentPath } from "./paths";
import { PlanPreview } from "./plan-preview";

type WaveMode = "clusters" | "selector" | "percent";

interface WaveDraft {
  mode: WaveMode;
  value: string;
  maxConcurrent: string;
  bakeSeconds: string;
  approval: "automatic" | "manual";
}

const PLACEHOLDER = `# A partial spec, merged into each DatadogAgent's (JSON merge patch).
features:
  apm:
    enabled: true`;

const number = (text: string) => (text.trim() === "" ? undefined : Number(text));
const list = (text: string) =>
  text
    .split(",")
    .map((v) => v.trim())
    .filter(Boolean);

/** The spec the form says, for the server (which validates it again); null while the config does not parse. */
function specOf(form: {
  name: string;
  config: string;
  agentsMode: "names" | "selector";
  agents: string;
  waves: WaveDraft[];
  timeout: string;
  grace: string;
}): { spec: FleetExperimentSpecInput | null; problems: string[] } {
  const parsed = form.config.trim() === "" ? null : parseExperimentConfig(form.config);
  if (!parsed) return { spec: null, problems: ["write the candidate change"] };
  if (!parsed.ok)
    return {
      spec: null,
      problems: parsed.problems.map((p) => (p.line ? `line ${p.line}: ${p.message}` : p.message)),
    };
  return {
    problems: [],
    spec: {
      name: form.name.trim(),
      config: parsed.config,
      ...(form.agentsMode === "names"
        ? { agents: list(form.agents) }
        : { agentSelector: form.agents.trim() }),
      waves: form.waves.map((w) => ({
        ...(w.mode === "clusters"
          ? { clusters: list(w.value) }
          : w.mode === "selector"
            ? { clusterSelector: w.value.trim() }
            : { percent: number(w.value) }),
        ...(number(w.maxConcurrent) !== undefined ? { maxConcurrent: number(w.maxConcurrent) } : {}),
        bakeSeconds: number(w.bakeSeconds) ?? 0,
        approval: w.approval,
      })),
      ...(number(form.timeout) !== undefined ? { timeoutSeconds: number(form.timeout) } : {}),
      ...(number(form.grace) !== undefined ? { healthGate: { graceSeconds: number(form.grace) } } : {}),
    },
  };
}

/**
 * A fleet experiment to start: the candidate change, the DatadogAgents it applies to, the waves.
 * "Preview plan" shows what it would do now; only that previewed plan starts, on confirmation.
 */
export function FleetExperimentForm({ clusters }: { clusters: { name: string; labels: Labels }[] }) {
  const router = useRouter();
  const [name, setName] = useState("");
  const [config, setConfig] = useState("");
  const [agentsMode, setAgentsMode] = useState<"names" | "selector">("names");
  const [agents, setAgents] = useState("datadog/datadog");
  const [timeout, setTimeoutText] = useState("");
  const [grace, setGrace] = useState("");
  const [waves, setWaves] = useState<WaveDraft[]>([
    {
      mode: "clusters",
      value: clusters[0]?.name ?? "",
      maxConcurrent: "",
      bakeSeconds: "0",
      approval: "automatic",
    },
    { mode: "percent", value: "100", maxConcurrent: "", bakeSeconds: "0", approval: "manual" },
  ]);
  const [preview, setPreview] = useState<{ key: string; dto: PlanPreviewDto } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const ids = { config: useId(), agents: useId() };

  const { spec, problems } = useMemo(
    () => specOf({ name, config, agentsMode, agents, waves, timeout, grace }),
    [name, config, agentsMode, agents, waves, timeout, grace],
  );
  const specKey = spec ? canonicalJson(spec) : "";
  const current = preview && preview.key === specKey ? preview.dto : null;

  const setWave = (i: number, change: Partial<WaveDraft>) =>
    setWaves((all) => all.map((w, j) => (j === i ? { ...w, ...change } : w)));

  const run = (work: () => Promise<void>) =>
    startTransition(async () => {
      setError(null);
      try {
        await work();
      } catch {
        setError(
          "The request did not reach the dashboard's server: reload the page (your session may have expired).",
        );
      }
    });

  return (
    <div className="space-y-6">
      <Card title="The change and where it goes">
        <div className="space-y-3 text-sm">
          <TextField
            label="Name"
            value={name}
            onChange={setName}
            placeholder="apm-on-2026-12"
            help="Also the id of its experiment in every cluster."
          />
          <label htmlFor={ids.config} className="block">
            <span className="font-medium text-slate-700">Candidate change (YAML or JSON)</span>
            <textarea
              id={ids.config}
              value={config}
              onChange={(e) => setConfig(e.target.value)}
              placeholder={PLACEHOLDER}
              rows={6}
              spellCheck={false}
              className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1 font-mono text-xs"
            />
          </label>
          {spec === null && config.trim() !== "" && (
            <ul className="text-xs text-rose-700" data-testid="config-problems">
              {problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          )}
          <fieldset className="rounded-md border border-slate-200 p-3">
            <legend className="px-1 font-medium text-slate-700">
              DatadogAgents it changes in each cluster
            </legend>
            <div className="flex gap-4">
              {(["names", "selector"] as const).map((mode) => (
                <label key={mode} className="flex items-center gap-1">
                  <input type="radio" checked={agentsMode === mode} onChange={() => setAgentsMode(mode)} />
                  {mode === "names" ? "by namespace/name" : "by label selector"}
                </label>
              ))}
            </div>
            <label htmlFor={ids.agents} className="mt-2 block">
              <span className="sr-only">DatadogAgents</span>
              <input
                id={ids.agents}
                value={agents}
                onChange={(e) => setAgents(e.target.value)}
                placeholder={
                  agentsMode === "names"
                    ? "datadog/datadog, monitoring/agent"
                    : "app.kubernetes.io/part-of=datadog"
                }
                className="block w-full rounded-md border border-slate-300 px-2 py-1 font-mono"
              />
            </label>
          </fieldset>
          <div className="grid gap-3 sm:grid-cols-2">
            <TextField
              label="Each cluster's timeout (seconds, optional)"
              value={timeout}
              onChange={setTimeoutText}
              placeholder="the controller's (1800)"
              help="A cluster that loses the hub rolls its experiment back by itself after this long."
              numeric
            />
            <TextField
              label="Health gate grace (seconds, optional)"
              value={grace}
              onChange={setGrace}
              placeholder="the controller's (120)"
              numeric
            />
          </div>
        </div>
      </Card>

      <Card
        title="Waves"
        actions={
          <Button
            onClick={() =>
              setWaves((all) => [
                ...all,
                { mode: "percent", value: "100", maxConcurrent: "", bakeSeconds: "0", approval: "automatic" },
              ])
            }
            disabled={waves.length >= 20}
          >
            Add a wave
          </Button>
        }
      >
        <p className="mb-3 text-xs text-slate-500">
          Clusters of the fleet:{" "}
          {clusters
            .map((c) => `${c.name}${Object.keys(c.labels).length ? ` (${formatLabels(c.labels)})` : ""}`)
            .join("; ") || "none"}
          .
        </p>
        <ol className="space-y-3">
          {waves.map((w, i) => (
            <li key={i} className="rounded-md border border-slate-200 p-3 text-sm" data-testid="wave-draft">
              <div className="flex flex-wrap items-end gap-3">
                <span className="font-medium">Wave {i + 1}</span>
                <label className="block">
                  <span className="text-xs text-slate-500">clusters</span>
                  <select
                    aria-label={`wave ${i + 1} selects clusters`}
                    value={w.mode}
                    onChange={(e) => setWave(i, { mode: e.target.value as WaveMode })}
                    className="mt-1 block rounded-md border border-slate-300 px-2 py-1"
                  >
                    <option value="clusters">by name</option>
                    <option value="selector">by label selector</option>
                    <option value="percent">a share (%) of the rest</option>
                  </select>
                </label>
                <label className="block grow">
                  <span className="text-xs text-slate-500">
                    {w.mode === "clusters"
                      ? "names, comma-separated"
                      : w.mode === "selector"
                        ? "selector"
                        : "percent"}
                  </span>
                  <input
                    aria-label={`wave ${i + 1} clusters`}
                    value={w.value}
                    onChange={(e) => setWave(i, { value: e.target.value })}
                    className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1 font-mono"
                  />
                </label>
                <label className="block w-28">
                  <span className="text-xs text-slate-500">at once (max)</span>
                  <input
                    aria-label={`wave ${i + 1} at once`}
                    value={w.maxConcurrent}
                    inputMode="numeric"
                    placeholder="all"
                    onChange={(e) => setWave(i, { maxConcurrent: e.target.value })}
                    className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1 font-mono"
                  />
                </label>
                <label className="block w-28">
                  <span className="text-xs text-slate-500">bake (s)</span>
                  <input
                    aria-label={`wave ${i + 1} bake seconds`}
                    value={w.bakeSeconds}
                    inputMode="numeric"
                    onChange={(e) => setWave(i, { bakeSeconds: e.target.value })}
                    className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1 font-mono"
                  />
                </label>
                <label className="block">
                  <span className="text-xs text-slate-500">starts</span>
                  <select
                    aria-label={`wave ${i + 1} starts`}
                    value={w.approval}
                    disabled={i === 0}
                    onChange={(e) => setWave(i, { approval: e.target.value as WaveDraft["approval"] })}
                    className="mt-1 block rounded-md border border-slate-300 px-2 py-1"
                  >
                    <option value="automatic">{i === 0 ? "on confirmation" : "by itself"}</option>
                    <option value="manual">on approval</option>
                  </select>
                </label>
                {waves.length > 1 && (
                  <Button onClick={() => setWaves((all) => all.filter((_, j) => j !== i))}>Remove</Button>
                )}
              </div>
            </li>
          ))}
        </ol>
      </Card>

      <div className="flex flex-wrap items-center gap-3">
        <Button
          variant="primary"
          disabled={!spec || pending}
          onClick={() =>
            run(async () => {
              const result = await previewFleetExperiment(spec);
              if (!result.ok) {
                setPreview(null);
                setError(result.error);
              } else setPreview({ key: specKey, dto: result.preview });
            })
          }
        >
          Preview plan
        </Button>
        <Button
          variant="danger"
          disabled={!current?.ok || pending}
          onClick={() =>
            run(async () => {
              const result = await startFleetExperiment(spec, current!.planKey);
              if (result.ok) router.push(fleetExperimentPath(result.name));
              else setError(result.error);
            })
          }
        >
          Start fleet experiment
        </Button>
        {preview && !current && (
          <span className="text-sm text-slate-600" data-testid="preview-stale">
            The form changed since the preview: preview the plan again.
          </span>
        )}
        {error && (
          <p role="alert" className="text-sm text-rose-700" data-testid="fleet-form-error">
            {error}
          </p>
        )}
      </div>
      {current && <PlanPreview preview={current} />}
    </div>
  );
}

/** A labelled text input, its help (if any) described by it rather than part of its label. */
function TextField({
  label,
  value,
  onChange,
  placeholder,
  help,
  numeric = false,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder: string;
  help?: string;
  numeric?: boolean;
}) {
  const id = useId();
  return (
    <div>
      <label htmlFor={id} className="block font-medium text-slate-700">
        {label}
      </label>
      <input
        id={id}
        value={value}
        inputMode={numeric ? "numeric" : undefined}
        onChange={(e) => onChange(e.target.value)}
        placeholder={placeholder}
        aria-describedby={help ? `${id}-help` : undefined}
        className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1 font-mono"
      />
      {help && (
        <span id={`${id}-help`} className="text-xs text-slate-500">
          {help}
        </span>
      )}
    </div>
  );
}
