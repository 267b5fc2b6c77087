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
  terminationReason: null,
  experimentId: null,
  currentRevision: "datadog-bbbbbbbbbb",
  previousRevision: "datadog-aaaaaaaaaa",
  lastChange: null,
  lastChangeAt: null,
  reconciledAt: "2026-03-01T12:00:00Z",
  deleted: false,
  renderError: null,
  failing: null,
  ignoredFields: [],
  conditions: [],
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

  it("refuses the current revision, a running experiment, a deleted agent, and a redacted copy the current spec cannot fill", () => {
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
      rollbackBlockedReason(
        agent,
        revision("datadog-cccccccccc", {
          inCluster: false,
          specRedacted: true,
          spec: { override: { nodeAgent: { env: [{ name: "DD_API_KEY", value: "[redacted]" }] } } },
        }),
      ),
    ).toMatch(/held a literal secret at override.nodeAgent.env\[0\].value/);
  });

  it("refuses while an experiment's end is decided but not yet shown (its baseline still to restore), as the controller does", () => {
    const ending = {
      ...agent,
      phase: "running",
      experimentId: "e1",
      experiment: { phase: "running" as const, id: "e1", ending: "timed_out" as const },
    };
    expect(rollbackBlockedReason(ending, revision("datadog-aaaaaaaaaa"))).toBe(
      "Experiment e1 is ending (timed_out): roll back once the cluster shows its end.",
    );
    // Terminated: the baseline is restored, nothing in the way.
    const ended = {
      ...ending,
      experiment: { phase: "terminated" as const, id: "e1", terminationReason: "timed_out" },
    };
    expect(rollbackBlockedReason(ended, revision("datadog-aaaaaaaaaa"))).toBeNull();
  });

  it("a revision with a redacted literal secret is restorable while the current spec has one there, not otherwise", () => {
    const withKey = {
      ...agent,
      spec: { global: { credentials: { apiKey: "[redacted]" } } },
    };
    const target = revision("datadog-cccccccccc", {
      inCluster: false,
      specRedacted: true,
      spec: { global: { credentials: { apiKey: "[redacted]" } } },
    });
    expect(rollbackBlockedReason(withKey, target)).toBeNull();
    expect(rollbackBlockedReason(agent, target)).toBe(
      "This revision held a literal secret at global.credentials.apiKey, which fleetdeck does not keep and the current spec no longer has, so it cannot be restored.",
    );
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
