// Per-user authorization against the real API server (FLEETDECK_AUTHZ=kubernetes): alice may
// update DatadogAgents in one namespace, bob in the other (two Roles, two RoleBindings). The
// stored answers say so before any command (what the dashboard's buttons show); alice's
// rollback in her namespace is applied, in bob's it is rejected with the very same sentence;
// and taking her RoleBinding away changes the stored answer through the RBAC watch alone.
import { CoreV1Api, RbacAuthorizationV1Api, type KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeSubject, viewOf, type Subject } from "../../lib/access";
import type { Database } from "../../lib/db/open";
import { agentClient, createApiKeySecret, currentRevision, startAgents, submit } from "../../test/agents";
import type { ControllerUnderTest } from "../../test/controller";
import { controllerKubeConfig, createNamespace, eventually, testNamespace } from "../../test/harness";
import { createTestDatabase } from "../../testing/database";
import { revisionName, specHash } from "../agents/hash";

const nsA = testNamespace("authz-a");
let nsB = "";
const alice: Subject = { user: "alice", groups: ["team-a", "system:authenticated"] };
const bob: Subject = { user: "bob", groups: ["team-b", "system:authenticated"] };
const spec = (level: string) => ({
  global: {
    clusterName: "test",
    logLevel: level,
    credentials: { apiSecret: { secretName: "datadog-secret", keyName: "api-key" } },
  },
});
let db: Database;
let controller: ControllerUnderTest;
/** The first revision of each namespace's agent "web": what a rollback goes back to. */
const firstRevision: Record<string, string> = {};

/** A Role that may list and update DatadogAgents in `namespace`, bound to one user. */
async function grant(kc: KubeConfig, namespace: string, role: string, user: string) {
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  await rbac.createNamespacedRole({
    namespace,
    body: {
      metadata: { name: role },
      rules: [
        { apiGroups: ["datadoghq.com"], resources: ["datadogagents"], verbs: ["get", "list", "update"] },
      ],
    },
  });
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name: `${role}-${user}` },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: user }],
    },
  });
}

const denial = (who: string, groups: string, namespace: string) =>
  `${who} (groups: ${groups}) cannot update datadogagents.datadoghq.com "web" in namespace "${namespace}"`;

beforeAll(async () => {
  nsB = await createNamespace(nsA.kc, "authz-b");
  ({ db } = await createTestDatabase("authz"));
  await grant(nsA.kc, nsA.name, "agent-editor", "alice");
  await grant(nsA.kc, nsB, "agent-operator", "bob");
  controller = await startAgents(controllerKubeConfig(), db, {
    FLEETDECK_AUTHZ: "kubernetes",
    // Long: any change of an answer below comes from an RBAC event or a new person.
    FLEETDECK_AUTHZ_REFRESH: "10m",
  });
  for (const namespace of [nsA.name, nsB]) {
    await createApiKeySecret(nsA.kc, namespace);
    await agentClient(nsA.kc).create(namespace, "web", spec("info"));
    firstRevision[namespace] = revisionName("web", specHash(spec("info")));
    await currentRevision(nsA.kc, db, namespace, "web", firstRevision[namespace]);
    await agentClient(nsA.kc).replaceSpec(namespace, "web", spec("debug"));
    await currentRevision(nsA.kc, db, namespace, "web", revisionName("web", specHash(spec("debug"))));
  }
}, 120_000);

afterAll(async () => {
  await controller?.stop();
  if (nsB)
    await nsA.kc
      .makeApiClient(CoreV1Api)
      .deleteNamespace({ name: nsB })
      .catch(() => undefined);
});

/** The stored answers of one person, as "namespace: allowed|reason". */
async function answersOf(subject: Subject): Promise<Record<string, string>> {
  const rows = await db.accessAnswer.findMany({
    where: { subject: encodeSubject(subject), name: "web", namespace: { in: [nsA.name, nsB] } },
  });
  return Object.fromEntries(rows.map((r) => [r.namespace, r.allowed ? "allowed" : r.reason]));
}

describe("authorization by Kubernetes RBAC", () => {
  it("answers for each person the dashboard saw, before any command, with the refusal's sentence", async () => {
    // What the dashboard writes when alice and bob open a page through the proxy.
    for (const subject of [alice, bob])
      await db.accessSubject.create({ data: { key: encodeSubject(subject), lastSeenAt: new Date() } });
    await eventually(async () =>
      expect(await answersOf(alice)).toEqual({
        [nsA.name]: "allowed",
        [nsB]: denial("alice", "system:authenticated, team-a", nsB),
      }),
    );
    await eventually(async () =>
      expect(await answersOf(bob)).toEqual({
        [nsA.name]: denial("bob", "system:authenticated, team-b", nsA.name),
        [nsB]: "allowed",
      }),
    );
  });

  it("answers what each person may see: each view cluster-wide, then in each namespace of the read model", async () => {
    /** A person's view answers in the test's namespaces and cluster-wide, as "view namespace". */
    const seen = async (subject: Subject) => {
      const rows = await db.accessAnswer.findMany({
        where: { subject: encodeSubject(subject), name: "", namespace: { in: ["", nsA.name, nsB] } },
      });
      return rows
        .filter((r) => r.allowed)
        .map((r) => `${viewOf(r)} ${r.namespace === nsA.name ? "A" : r.namespace === nsB ? "B" : "*"}`)
        .sort();
    };
    await eventually(async () => expect(await seen(alice)).toEqual(["agents A"]));
    await eventually(async () => expect(await seen(bob)).toEqual(["agents B"]));
    // Refusals are stored too: cluster-wide, and per namespace where the read model has rows.
    const refused = await db.accessAnswer.findMany({
      where: { subject: encodeSubject(alice), name: "", allowed: false, namespace: { in: ["", nsB] } },
    });
    expect(refused.map((r) => `${viewOf(r)} ${r.namespace || "*"}`).sort()).toEqual(
      ["agents *", `agents ${nsB}`, "autoscalers *", "helm *", "profiles *", "spot *"].sort(),
    );
  });

  it("applies alice's rollback in her namespace and rejects it in bob's, saying why", async () => {
    const as = { actor: "alice", actorAuth: "proxy" as const, identity: alice };
    const mine = await submit(
      db,
      "restore-revision",
      `${nsA.name}/web`,
      { revision: firstRevision[nsA.name] },
      as,
    );
    expect(mine).toMatchObject({ status: "applied" });
    const theirs = await submit(db, "restore-revision", `${nsB}/web`, { revision: firstRevision[nsB] }, as);
    expect(theirs).toEqual({
      id: theirs.id,
      status: "rejected",
      message: denial("alice", "system:authenticated, team-a", nsB),
    });
    // The refusal is in the audit trail too.
    const audit = await db.auditEvent.findFirstOrThrow({
      where: { commandId: theirs.id, action: "command.rejected" },
    });
    expect(audit.actor).toBe("alice");
    expect(JSON.parse(audit.details)).toMatchObject({ access: "denied" });
    // bob's agent is untouched; alice's went back.
    expect((await agentClient(nsA.kc).get(nsB, "web")).spec).toEqual(spec("debug"));
    await eventually(async () =>
      expect((await agentClient(nsA.kc).get(nsA.name, "web")).spec).toMatchObject(spec("info")),
    );
  });

  it("keeps full power for the admin token and loopback, and refuses a proxy command without an identity", async () => {
    const admin = await submit(
      db,
      "restore-revision",
      `${nsB}/web`,
      { revision: firstRevision[nsB] },
      {
        actor: "admin",
        actorAuth: "admin-token",
      },
    );
    expect(admin.status).toBe("applied");
    const anonymous = await submit(
      db,
      "stop-experiment",
      `${nsB}/web`,
      { experimentId: "e1" },
      {
        actor: "mallory",
        actorAuth: "proxy",
      },
    );
    expect(anonymous).toMatchObject({
      status: "rejected",
      message:
        "no Kubernetes identity was recorded for mallory (proxy), so authorization cannot allow this command",
    });
  });

  it("changes a stored answer as soon as RBAC changes", async () => {
    await nsA.kc
      .makeApiClient(RbacAuthorizationV1Api)
      .deleteNamespacedRoleBinding({ namespace: nsA.name, name: "agent-editor-alice" });
    await eventually(async () =>
      expect((await answersOf(alice))[nsA.name]).toBe(
        denial("alice", "system:authenticated, team-a", nsA.name),
      ),
    );
  });
});
