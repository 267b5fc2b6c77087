// Per-user authorization in the browser (FLEETDECK_AUTHZ=kubernetes on the stack's controller):
// a second dashboard on the same database trusts a reverse proxy's user and groups headers.
// alice may update DatadogAgents in one namespace, bob in another (two Roles). Before any click,
// the "Roll back" button on bob's agent is disabled for alice with the refusal the controller
// computed; on her own agent it works and the rollback is applied.
import { randomBytes } from "node:crypto";
import { CoreV1Api, CustomObjectsApi, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import { TEST_SECRETS } from "../test/secrets";
import { freePort, startWeb, waitForHttp, type RunningProcess } from "../testing/processes";
import { expect, test } from "./fixtures";
import { e2eKubeConfig, e2eState } from "./state";

const kc = e2eKubeConfig();
const suffix = randomBytes(3).toString("hex");
const mine = `e2e-authz-a-${suffix}`;
const theirs = `e2e-authz-b-${suffix}`;
const custom = kc.makeApiClient(CustomObjectsApi);
const dda = { group: "datadoghq.com", version: "v2alpha1", plural: "datadogagents" };
const spec = (logLevel: string) => ({
  global: { logLevel, credentials: { apiSecret: { secretName: "datadog-secret", keyName: "api-key" } } },
});
let web: RunningProcess;
let proxied = "";

interface Agent {
  metadata: { generation: number };
  spec: Record<string, unknown>;
  status?: { currentRevision?: string; observedGeneration?: number };
}
const getAgent = async (namespace: string) =>
  (await custom.getNamespacedCustomObject({ ...dda, namespace, name: "web" })) as Agent;

/** The agent "web" with two revisions; returns the first (what a rollback goes back to). */
async function agentWithHistory(namespace: string): Promise<string> {
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  await custom.createNamespacedCustomObject({
    ...dda,
    namespace,
    body: {
      apiVersion: "datadoghq.com/v2alpha1",
      kind: "DatadogAgent",
      metadata: { name: "web" },
      spec: spec("info"),
    },
  });
  let first: string | undefined;
  await expect.poll(async () => (first = (await getAgent(namespace)).status?.currentRevision)).toBeTruthy();
  const before = await getAgent(namespace);
  await custom.replaceNamespacedCustomObject({
    ...dda,
    namespace,
    name: "web",
    body: { ...before, spec: spec("debug") },
  });
  await expect
    .poll(async () => {
      const a = await getAgent(namespace);
      return a.status?.observedGeneration === a.metadata.generation && a.status?.currentRevision !== first;
    })
    .toBe(true);
  return first!;
}

/** A Role that may update DatadogAgents in `namespace`, bound to `user`. */
async function grant(namespace: string, user: string) {
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  await rbac.createNamespacedRole({
    namespace,
    body: {
      metadata: { name: "agent-editor" },
      rules: [{ apiGroups: ["datadoghq.com"], resources: ["datadogagents"], verbs: ["get", "update"] }],
    },
  });
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name: `agent-editor-${user}` },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "agent-editor" },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: user }],
    },
  });
}

const firsts: Record<string, string> = {};

test.beforeAll(async () => {
  test.setTimeout(120_000);
  firsts[mine] = await agentWithHistory(mine);
  firsts[theirs] = await agentWithHistory(theirs);
  await grant(mine, "alice");
  await grant(theirs, "bob");
  // The same database as the stack's controller, behind a (simulated) authenticating proxy.
  const port = await freePort();
  web = startWeb("authz-web", {
    DATABASE_URL: e2eState().databaseUrl,
    FLEETDECK_WEB_PORT: String(port),
    FLEETDECK_AUTH_PROXY_HEADER: "X-Forwarded-User",
    FLEETDECK_AUTH_PROXY_GROUPS_HEADER: "X-Forwarded-Groups",
    FLEETDECK_AUTH_PROXY_SECRET: TEST_SECRETS.proxySecret,
  });
  proxied = `http://127.0.0.1:${port}`;
  await waitForHttp(`${proxied}/login`, { proc: web });
});

test.afterAll(async () => {
  await web?.stop();
  for (const name of [mine, theirs])
    await kc
      .makeApiClient(CoreV1Api)
      .deleteNamespace({ name })
      .catch(() => undefined);
});

test("the rollback button shows alice's refusal before the click, and works where RBAC allows her", async ({
  browser,
}) => {
  const context = await browser.newContext({
    baseURL: proxied,
    extraHTTPHeaders: {
      "x-forwarded-user": "alice",
      "x-forwarded-groups": "team-a",
      "x-fleetdeck-proxy-secret": TEST_SECRETS.proxySecret,
    },
  });
  const page = await context.newPage();

  // bob's agent: alice may not update it. The button says so before anything is sent.
  await page.goto(`/agents/${theirs}/web`);
  await expect(page.getByText("Signed in as")).toContainText("alice");
  const refused = page
    .locator(`[data-testid="revision-row"][data-revision="${firsts[theirs]}"]`)
    .getByRole("button", { name: "Roll back to this revision" });
  const reason = `alice (groups: system:authenticated, team-a) cannot update datadogagents.datadoghq.com "web" in namespace "${theirs}"`;
  await expect(refused).toBeDisabled({ timeout: 20_000 });
  await expect(refused).toHaveAttribute("title", reason);
  await expect(page.getByRole("button", { name: "Start experiment" })).toBeDisabled();
  await expect(page.getByText(`Not now: ${reason}.`)).toBeVisible();

  // Her own agent: the button is enabled and the rollback is applied.
  await page.goto(`/agents/${mine}/web`);
  const allowed = page
    .locator(`[data-testid="revision-row"][data-revision="${firsts[mine]}"]`)
    .getByRole("button", { name: "Roll back to this revision" });
  await expect(allowed).toBeEnabled();
  await allowed.click();
  const dialog = page.getByRole("dialog", { name: `Roll back to revision ${firsts[mine]!.slice(-10)}?` });
  await dialog.getByRole("button", { name: "Roll back" }).click();
  await expect(dialog.getByTestId("command-status")).toHaveAttribute("data-status", "applied");
  await expect.poll(async () => (await getAgent(mine)).status?.currentRevision).toBe(firsts[mine]);
  await context.close();
});
