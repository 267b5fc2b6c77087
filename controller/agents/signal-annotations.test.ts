// The operator's signal annotations, decided as upstream's processExperimentSignal does.
import { describe, expect, it } from "vitest";
import type { AgentStatus } from "../../lib/agents";
import type { DatadogAgent } from "./api";
import { decideSignal, signalWriter } from "./signal-annotations";

const running: AgentStatus = { currentRevision: "dd-1", experiment: { phase: "running", id: "e1" } };
const terminated: AgentStatus = {
  currentRevision: "dd-1",
  experiment: { phase: "terminated", terminationReason: "stopped", id: "e1" },
};

describe("decideSignal", () => {
  it("start: acts on an agent with no experiment running; a no-op for the id the status already names", () => {
    expect(decideSignal("start", "e2", { currentRevision: "dd-1" })).toEqual({ type: "start" });
    expect(decideSignal("start", "e2", terminated)).toEqual({ type: "start" });
    expect(decideSignal("start", "e1", terminated)).toEqual({
      type: "skip",
      reason: "experiment e1 was already started",
    });
    expect(decideSignal("start", "e1", running)).toMatchObject({ type: "skip" });
  });

  it("start over a running experiment with another id is ignored", () => {
    expect(decideSignal("start", "e2", running)).toEqual({
      type: "skip",
      reason: "experiment e1 is running: a start of e2 is ignored",
    });
  });

  it("rollback and promote ask for a stop and a promote (their guards decide); unknown signals are cleared", () => {
    expect(decideSignal("rollback", "e1", running)).toEqual({ type: "end", action: "stop" });
    expect(decideSignal("promote", "e1", running)).toEqual({ type: "end", action: "promote" });
    expect(decideSignal("pause", "e1", running)).toEqual({
      type: "skip",
      reason: 'unknown signal "pause"; expected start, rollback, promote',
    });
  });
});

describe("signalWriter", () => {
  it("names the field manager that set the signal annotation, the latest when several did", () => {
    const agent = (managedFields: unknown[]): DatadogAgent =>
      ({ metadata: { name: "dd", managedFields } }) as DatadogAgent;
    const owns = (manager: string, time: string, annotations: string[]) => ({
      manager,
      time,
      fieldsV1: {
        "f:metadata": { "f:annotations": Object.fromEntries(annotations.map((a) => [`f:${a}`, {}])) },
      },
    });
    expect(
      signalWriter(
        agent([
          owns("kubectl-edit", "2026-03-01T10:00:00Z", ["team"]),
          owns("fleet-daemon", "2026-03-01T11:00:00Z", [
            "experiment.datadoghq.com/signal",
            "experiment.datadoghq.com/id",
          ]),
          owns("kubectl-annotate", "2026-03-01T12:00:00Z", ["experiment.datadoghq.com/signal"]),
        ]),
      ),
    ).toBe("field manager kubectl-annotate (signal annotation)");
    expect(signalWriter(agent([]))).toBe("unknown (signal annotation)");
  });
});
