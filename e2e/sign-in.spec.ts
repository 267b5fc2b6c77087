// People sign in as config/deploy ships it: through a real oauth2-proxy against a real OpenID
// Provider (e2e/sign-in-fixtures.ts), with per-user authorization on the stack's controller
// (FLEETDECK_AUTHZ=kubernetes). alice may update DatadogAgents in one namespace (a RoleBinding
// to her user), bob in another (a RoleBinding to his group, team-b). Each sees their own name;
// the "Roll back" button is enabled where their RBAC allows and disabled with the controller's
// refusal elsewhere, before any click. Identity headers a client sends never reach the
// dashboard. The admin token is break-glass: a banner on every page, an audit row.
import { randomBytes } from "node:crypto";
import { CoreV1Api, CustomObjectsApi, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import type { Browser, Page } from "@playwright/test";
import { TEST_SECRETS } from "../test/secrets";
import { expect, PEOPLE, test, type SignInStack } from "./sign-in-fixtures";
import { e2eDatabase, e2eKubeConfig } from "./state";

const kc = e2eKubeConfig();
const suffix = randomBytes(3).toString("hex");
const alices = `e2e-authz-a-${suffix}`;
const bobs = `e2e-authz-b-${suffix}`;
const custom = kc.makeApiClient(CustomObjectsApi);
const dda = { group: "datadoghq.com", version: "v2alpha1", plural: "datadogagents" };
const spec = (logLevel: string) => ({
  global: { logLevel, credentials: { apiSecret: { secretName: "datadog-secret", keyName: "api-key" } } },
});

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

/** A Role that may update DatadogAgents in `namespace`, bound to a user or a group. */
async function grant(namespace: string, subject: { kind: "User" | "Group"; name: string }) {
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
      metadata: { name: "agent-editor" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "agent-editor" },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", ...subject }],
    },
  });
}

/** A browser of `person`, signed in through the proxy and the provider's form, on `path`. */
async function signInAs(
  browser: Browser,
  stack: SignInStack,
  person: (typeof PEOPLE)[keyof typeof PEOPLE],
  path: string,
  extraHTTPHeaders?: Record<string, string>,
): Promise<Page> {
  const context = await browser.newContext({ baseURL: stack.url, extraHTTPHeaders });
  const page = await context.newPage();
  await page.goto(path);
  // Not signed in: the proxy sends the browser to the identity provider's form.
  await expect(page).toHaveURL(new RegExp(`^${stack.issuer}/login\\?authRequestID=`));
  await page.getByLabel("Username").fill(person.username);
  await page.getByLabel("Password").fill(person.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  // Back on the dashboard (which names the cluster in an agent's path).
  await expect(page).toHaveURL(new RegExp(`^${stack.url}/`));
  await expect(page.getByText("Signed in as")).toContainText(person.email);
  return page;
}

const rollbackButton = (page: Page, revision: string) =>
  page
    .locator(`[data-testid="revision-row"][data-revision="${revision}"]`)
    .getByRole("button", { name: "Roll back to this revision" });
const refusal = (person: (typeof PEOPLE)[keyof typeof PEOPLE], namespace: string) =>
  `${person.email} (groups: ${["system:authenticated", ...person.groups].sort().join(", ")}) ` +
  `cannot update datadogagents.datadoghq.com "web" in namespace "${namespace}"`;

const firsts: Record<string, string> = {};

test.beforeAll(async () => {
  test.setTimeout(120_000);
  firsts[alices] = await agentWithHistory(alices);
  firsts[bobs] = await agentWithHistory(bobs);
  await grant(alices, { kind: "User", name: PEOPLE.alice.email });
  await grant(bobs, { kind: "Group", name: "team-b" });
});

test.afterAll(async () => {
  for (const name of [alices, bobs])
    await kc
      .makeApiClient(CoreV1Api)
      .deleteNamespace({ name })
      .catch(() => undefined);
});

test("alice and bob sign in through the identity provider: each sees their name, and their RBAC decides the buttons", async ({
  browser,
  signIn,
}) => {
  // bob on alice's agent: his groups give him nothing there. The button says so before any click.
  const bob = await signInAs(browser, signIn, PEOPLE.bob, `/agents/${alices}/web`);
  await expect(bob.getByText("Signed in as")).toContainText(PEOPLE.bob.email);
  await expect(bob.getByTestId("break-glass-banner")).toHaveCount(0);
  const refused = rollbackButton(bob, firsts[alices]!);
  await expect(refused).toBeDisabled({ timeout: 20_000 });
  await expect(refused).toHaveAttribute("title", refusal(PEOPLE.bob, alices));
  await expect(bob.getByRole("button", { name: "Start experiment" })).toBeDisabled();
  await expect(bob.getByText(`Not now: ${refusal(PEOPLE.bob, alices)}.`)).toBeVisible();
  // His own agent, through his group team-b (his answers are in: the refusal above came with them).
  await bob.goto(`/agents/${bobs}/web`);
  await expect(rollbackButton(bob, firsts[bobs]!)).toBeEnabled();
  await expect(bob.getByText(/^Not now:/)).toHaveCount(0);

  // alice on her agent (a binding to her user): the button is enabled and the rollback applied.
  const alice = await signInAs(browser, signIn, PEOPLE.alice, `/agents/${alices}/web`);
  await expect(alice.getByText("Signed in as")).toContainText(PEOPLE.alice.email);
  const allowed = rollbackButton(alice, firsts[alices]!);
  await expect(allowed).toBeEnabled();
  await allowed.click();
  const dialog = alice.getByRole("dialog", { name: `Roll back to revision ${firsts[alices]!.slice(-10)}?` });
  await dialog.getByRole("button", { name: "Roll back" }).click();
  await expect(dialog.getByTestId("command-status")).toHaveAttribute("data-status", "applied");
  await expect.poll(async () => (await getAgent(alices)).status?.currentRevision).toBe(firsts[alices]);
  // The command carries her identity, as the proxy vouched for it.
  const db = await e2eDatabase();
  try {
    const command = await db.command.findFirst({
      where: { kind: "restore-revision", target: `${alices}/web` },
      orderBy: { id: "desc" },
    });
    expect(command).toMatchObject({ actor: PEOPLE.alice.email, actorAuth: "proxy", status: "applied" });
  } finally {
    await db.$disconnect();
  }
  // And bob's page, in its own session, still shows bob.
  await bob.reload();
  await expect(bob.getByText("Signed in as")).toContainText(PEOPLE.bob.email);
  await alice.context().close();
  await bob.context().close();
});

test("a client cannot send its own identity through the proxy", async ({ browser, playwright, signIn }) => {
  const forged = {
    "x-forwarded-user": PEOPLE.bob.email,
    "x-forwarded-groups": "team-b",
    "x-forwarded-email": PEOPLE.bob.email,
    // An underscore variant, which some servers read as the dashed name.
    x_forwarded_groups: "team-b",
  };
  // Without a session, forged headers (even with the right secret) get no page and no answer.
  const anonymous = await playwright.request.newContext({ baseURL: signIn.url, maxRedirects: 0 });
  const withSecret = { ...forged, "x-fleetdeck-proxy-secret": TEST_SECRETS.proxySecret };
  const page = await anonymous.get(`/agents/${bobs}/web`, { headers: withSecret });
  expect(page.status()).toBe(302);
  expect(page.headers().location).toMatch(new RegExp(`^${signIn.issuer}/authorize\\?`));
  expect((await anonymous.get("/api/fleet", { headers: withSecret })).status()).toBe(401);
  // A route the proxy lets through unsigned (machines' command status, with the API token):
  // the dashboard gets no identity from it, so it asks for one.
  const status = await anonymous.get("/api/commands/1", { headers: forged });
  expect(status.status()).toBe(401);
  expect(await status.json()).toEqual({ error: "unauthenticated: sign in at /login" });
  await anonymous.dispose();

  // Signed in as alice, claiming to be bob and in his group: the dashboard sees alice only.
  const alice = await signInAs(browser, signIn, PEOPLE.alice, `/agents/${bobs}/web`, forged);
  await expect(alice.getByText("Signed in as")).toContainText(PEOPLE.alice.email);
  const refused = rollbackButton(alice, firsts[bobs]!);
  await expect(refused).toBeDisabled({ timeout: 20_000 });
  await expect(refused).toHaveAttribute("title", refusal(PEOPLE.alice, bobs));
  await alice.context().close();
});

test("the admin token is break-glass: a banner on every page while it is used, and its sign-in is audited", async ({
  browser,
  signIn,
}) => {
  // Straight to the dashboard, past the proxy (in a cluster: kubectl port-forward to port 3000).
  const context = await browser.newContext({ baseURL: signIn.dashboardURL });
  const page = await context.newPage();
  const since = new Date();
  await page.goto("/login");
  await expect(page.getByTestId("break-glass-banner")).toHaveCount(0);
  await page.getByLabel("Admin token").fill(TEST_SECRETS.adminToken);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Signed in as")).toContainText("admin");
  for (const path of [
    "/",
    "/agents",
    `/agents/${bobs}/web`,
    "/experiments",
    "/metadata",
    "/autoscaling",
    "/audit",
  ]) {
    await page.goto(path);
    const banner = page.getByTestId("break-glass-banner");
    await expect(banner, path).toContainText("Break-glass session: signed in with the admin token");
    await expect(banner, path).toContainText(
      "Nobody should use it for everyday work: people sign in through the identity provider",
    );
  }
  const db = await e2eDatabase();
  try {
    const rows = await db.auditEvent.findMany({
      where: { action: "auth.break-glass", at: { gte: since } },
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor: "admin", source: "web", targetKind: "Dashboard" });
    expect(JSON.parse(rows[0]!.details)).toEqual({ client: "127.0.0.1" });
  } finally {
    await db.$disconnect();
  }
  await expect(page.getByTestId("audit-row").filter({ hasText: "auth.break-glass" }).first()).toBeVisible();

  // Ending it from the banner ends the session: back to the sign-in page, no banner.
  await page.getByRole("button", { name: "End the break-glass session" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByTestId("break-glass-banner")).toHaveCount(0);
  await context.close();
});
