import { describe, expect, it } from "vitest";
import type { AgentDetailDto } from "@/server/queries/agents";
import type { RevisionDto } from "@/server/queries/revisions";
import { rollbackBlockedReason } from "./rollback";

const agent: AgentDetailDto = {
  clusterId: "c1",
  clusterName: "east",
  key: "datadog/datadog",
  namespace: "datadog",
  name: "datadog",
  phase: "none",
  experimentId: null,
  currentRevision: "datadog-bbbbbbbbbb",
  previousRevision: "datadog-aaaaaaaaaa",
  lastChange: null,
  lastChangeAt: null,
  reconciledAt: "2026-03-01T12:00:00Z",
  deleted: false,
  renderError: null,
  uid: "u",
  generation: 2,
  permission: { state: "allowed", reason: "" },
  spec: {},
  experiment: null,
  health: null,
  rollout: null,
};
const revision = (name: string, extra: Partial<RevisionDto> = {}): RevisionDto => ({
  id: 1,
  name,
  hash: name.slice(-10),
  spec: {},
  specRedacted: false,
  cause: "user-edit",
  actor: "a",
  experimentId: null,
  at: "2026-03-01T12:00:00Z",
  inCluster: true,
  ...extra,
});

describe("rollbackBlockedReason (the dialog's submit is enabled only when this is null)", () => {
  it("allows an older revision, in the cluster or only in the history", () => {
    expect(rollbackBlockedReason(agent, revision("datadog-aaaaaaaaaa"))).toBeNull();
    expect(rollbackBlockedReason(agent, revision("datadog-cccccccccc", { inCluster: false }))).toBeNull();
  });

  it("refuses the current revision, a running experiment, a deleted agent, and a redacted copy the cluster dropped", () => {
    expect(rollbackBlockedReason(agent, revision("datadog-bbbbbbbbbb"))).toBe(
      "This is already the current revision.",
    );
    expect(
      rollbackBlockedReason(
        { ...agent, phase: "running", experimentId: "e1", experiment: { phase: "running", id: "e1" } },
        revision("datadog-aaaaaaaaaa"),
      ),
    ).toBe("Experiment e1 is running: promote or stop it before rolling back.");
    expect(rollbackBlockedReason({ ...agent, deleted: true }, revision("datadog-aaaaaaaaaa"))).toMatch(
      /no longer exists/,
    );
    expect(
      rollbackBlockedReason(agent, revision("datadog-cccccccccc", { inCluster: false, specRedacted: true })),
    ).toMatch(/redacted/);
  });

  it("refuses while a stopped or timed-out experiment's baseline is still to be restored, as the controller does", () => {
    const timingOut = {
      ...agent,
      phase: "timeout",
      experimentId: "e1",
      experiment: { phase: "timeout" as const, id: "e1", baselineRevision: "datadog-aaaaaaaaaa" },
    };
    expect(rollbackBlockedReason(timingOut, revision("datadog-aaaaaaaaaa"))).toBe(
      "Experiment e1 is being rolled back (phase=timeout): roll back once its baseline is restored.",
    );
    // Once the baseline is restored the phase stays for a reconcile without it: no longer in the way.
    const restored = { ...timingOut, experiment: { phase: "timeout" as const, id: "e1" } };
    expect(rollbackBlockedReason(restored, revision("datadog-aaaaaaaaaa"))).toBeNull();
  });

  it("refuses what the viewer may not do, with the controller's stored reason; an unchecked answer does not block", () => {
    const reason =
      'bob (groups: system:authenticated) cannot update datadogagents.datadoghq.com "datadog" in namespace "datadog"';
    expect(
      rollbackBlockedReason(
        { ...agent, permission: { state: "denied", reason } },
        revision("datadog-aaaaaaaaaa"),
      ),
    ).toBe(`You may not roll back: ${reason}.`);
    expect(
      rollbackBlockedReason(
        { ...agent, permission: { state: "unchecked", reason: "" } },
        revision("datadog-aaaaaaaaaa"),
      ),
    ).toBeNull();
  });
});
