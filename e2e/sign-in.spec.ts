// People sign in as config/deploy ships it: through a real oauth2-proxy against a real OpenID
// Provider (e2e/sign-in-fixtures.ts), with per-user authorization on the stack's controller
// (FLEETDECK_AUTHZ=kubernetes). alice may list and update DatadogAgents in one namespace (a
// RoleBinding to her user), bob in another (a RoleBinding to his group, team-b), where he may
// also read Secrets (Helm values); bob may list alice's agents too, not change them. Each sees
// their own name; the "Roll back" button is enabled where their RBAC allows and disabled with
// the controller's refusal elsewhere, before any click. alice sees nothing of bob's namespace
// on any page or API answer (read authorization). Identity headers a client sends never reach
// the dashboard. The admin token is break-glass: a banner on every page, an audit row.
import { randomBytes } from "node:crypto";
import { CoreV1Api, CustomObjectsApi, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import type { Browser, Page } from "@playwright/test";
import { revisionName, specHash } from "../controller/agents/hash";
import { reconciledRevision, type ReconciledView } from "../testing/agent-state";
import { insertCommand } from "../lib/db/commands";
import { TEST_SECRETS } from "../test/secrets";
import { helmReleaseSecret } from "../testing/helm-release";
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

interface Agent extends ReconciledView {
  spec: Record<string, unknown>;
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
  await expect.poll(async () => (first = reconciledRevision(await getAgent(namespace)))).toBeTruthy();
  const before = await getAgent(namespace);
  await custom.replaceNamespacedCustomObject({
    ...dda,
    namespace,
    name: "web",
    body: { ...before, spec: spec("debug") },
  });
  await expect
    .poll(async () => reconciledRevision(await getAgent(namespace)))
    .toBe(revisionName("web", specHash(spec("debug"))));
  return first!;
}

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };
const EDIT_AGENTS: Rule = {
  apiGroups: ["datadoghq.com"],
  resources: ["datadogagents"],
  verbs: ["get", "list", "update"],
};
const LIST_AGENTS: Rule = { apiGroups: ["datadoghq.com"], resources: ["datadogagents"], verbs: ["list"] };
const READ_SECRETS: Rule = { apiGroups: [""], resources: ["secrets"], verbs: ["get"] };

/** A Role `role` with `rules` in `namespace`, bound to a user or a group. */
async function grant(
  namespace: string,
  role: string,
  rules: Rule[],
  subject: { kind: "User" | "Group"; name: string },
) {
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  await rbac.createNamespacedRole({ namespace, body: { metadata: { name: role }, rules } });
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name: role },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", ...subject }],
    },
  });
}

/**
 * A browser of `person`, signed in through the proxy and the provider's form, on the agents
 * list once it shows their agents (their cluster's controller has answered what they may see).
 */
async function signInAs(
  browser: Browser,
  stack: SignInStack,
  person: (typeof PEOPLE)[keyof typeof PEOPLE],
  sees: string[],
  extraHTTPHeaders?: Record<string, string>,
): Promise<Page> {
  const context = await browser.newContext({ baseURL: stack.url, extraHTTPHeaders });
  const page = await context.newPage();
  await page.goto("/agents");
  // Not signed in: the proxy sends the browser to the identity provider's form.
  await expect(page).toHaveURL(new RegExp(`^${stack.issuer}/login\\?authRequestID=`));
  await page.getByLabel("Username").fill(person.username);
  await page.getByLabel("Password").fill(person.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  // Back on the dashboard (which names the cluster in an agent's path).
  await expect(page).toHaveURL(new RegExp(`^${stack.url}/`));
  await expect(page.getByText("Signed in as")).toContainText(person.email);
  // Until then the list is empty (and says whose access is being checked); it fills live.
  for (const namespace of sees)
    await expect(agentRow(page, namespace), namespace).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId("access-note")).toHaveCount(0);
  return page;
}

const agentRow = (page: Page, namespace: string) =>
  page.locator(`[data-testid="agent-row"][data-key="${namespace}/web"]`);

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
  const alice = { kind: "User" as const, name: PEOPLE.alice.email };
  const teamB = { kind: "Group" as const, name: "team-b" };
  await grant(alices, "agent-editor", [EDIT_AGENTS], alice);
  await grant(alices, "agent-viewer", [LIST_AGENTS], teamB);
  await grant(bobs, "agent-editor", [EDIT_AGENTS, READ_SECRETS], teamB);
  // A Helm release in each namespace: its values are shown to whoever may read Secrets there.
  for (const namespace of [alices, bobs])
    await kc.makeApiClient(CoreV1Api).createNamespacedSecret({
      namespace,
      body: helmReleaseSecret({
        namespace,
        release: "datadog",
        revision: 1,
        values: { datadog: { site: namespace } },
      }),
    });
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
  // bob on alice's agent: his group may list it, not change it. The button says so before any click.
  const bob = await signInAs(browser, signIn, PEOPLE.bob, [alices, bobs]);
  await expect(bob.getByTestId("break-glass-banner")).toHaveCount(0);
  await bob.goto(`/agents/${alices}/web`);
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
  const alice = await signInAs(browser, signIn, PEOPLE.alice, [alices]);
  await alice.goto(`/agents/${alices}/web`);
  const allowed = rollbackButton(alice, firsts[alices]!);
  await expect(allowed).toBeEnabled();
  await allowed.click();
  const dialog = alice.getByRole("dialog", { name: `Roll back to revision ${firsts[alices]!.slice(-10)}?` });
  await dialog.getByRole("button", { name: "Roll back" }).click();
  await expect(dialog.getByTestId("command-status")).toHaveAttribute("data-status", "applied");
  await expect.poll(async () => reconciledRevision(await getAgent(alices))).toBe(firsts[alices]);
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

test("alice sees nothing of bob's namespace on any page or API answer, and Helm values only where she may read Secrets", async ({
  browser,
  signIn,
}) => {
  test.setTimeout(120_000);
  const db = await e2eDatabase();
  let bobsCommand: number;
  const sendOf = async (object: string, forwarder: string) => {
    let id: number | undefined;
    await expect
      .poll(
        async () =>
          (id = (await db.metadataSend.findFirst({ where: { object, forwarder, status: "sent" } }))?.id),
        { timeout: 60_000, message: `a ${forwarder} send of ${object}` },
      )
      .toBeDefined();
    return id!;
  };
  try {
    // Something of bob's namespace in every read model: his agent's revisions, rollout and
    // sends (from the controller), a command of his, its audit rows; his Helm release's send.
    // And a command of alice's in her namespace, which she sees.
    const cluster = await db.cluster.findFirstOrThrow();
    /** A command of `person` on the agent of `namespace`, as the dashboard writes it (with its audit row). */
    const command = async (person: (typeof PEOPLE)[keyof typeof PEOPLE], namespace: string) => {
      const inserted = await insertCommand(db, {
        clusterId: cluster.id,
        kind: "stop-experiment",
        target: `${namespace}/web`,
        payload: { experimentId: "e2e-none" },
        actor: person.email,
        actorAuth: "proxy",
        identity: { user: person.email, groups: [...person.groups, "system:authenticated"] },
        source: "dashboard",
      });
      if (!inserted.ok) throw new Error(inserted.error);
      return inserted.commandId;
    };
    bobsCommand = await command(PEOPLE.bob, bobs);
    await command(PEOPLE.alice, alices);
    const sends = {
      bobsAgent: await sendOf(`${bobs}/web`, "crd"),
      bobsHelm: await sendOf(`${bobs}/datadog`, "helm"),
      alicesAgent: await sendOf(`${alices}/web`, "crd"),
      alicesHelm: await sendOf(`${alices}/datadog`, "helm"),
    };

    const alice = await signInAs(browser, signIn, PEOPLE.alice, [alices]);
    // Every page, its rendered data included: nothing names bob's namespace.
    for (const path of ["/", "/agents", "/experiments", "/metadata", "/autoscaling", "/audit"]) {
      await alice.goto(path);
      await expect(alice.getByRole("heading", { level: 1 }).first(), path).toBeVisible();
      expect(await alice.content(), path).not.toContain(bobs);
    }
    await alice.goto("/audit");
    await expect(
      alice
        .getByTestId("audit-row")
        .filter({ hasText: `${alices}/web` })
        .first(),
    ).toBeVisible();
    await alice.goto("/metadata");
    await expect(alice.getByText(`${alices}/web`).first()).toBeVisible();
    expect(await alice.content()).not.toContain(`${alices}/datadog`);
    // His agent's page by its address: no such agent, for her.
    await alice.goto(`/agents/${bobs}/web`);
    await expect(alice.getByRole("heading", { name: "No such DatadogAgent" })).toBeVisible();

    // Every API answer: the lists without his rows, his objects by id or name not found.
    const api = alice.request;
    for (const url of [
      "/api/agents",
      "/api/experiments",
      "/api/audit",
      "/api/audit/export?format=json",
      "/api/metadata/sends",
      `/api/metadata/sends?object=${bobs}`,
      "/api/metadata/forwarders",
      "/api/metadata/charts",
      "/api/spot",
      "/api/autoscalers",
      "/api/fleet",
      "/api/controllers",
      "/api/access",
    ]) {
      const answer = await api.get(url);
      expect(answer.status(), url).toBe(200);
      expect(await answer.text(), url).not.toContain(bobs);
    }
    for (const url of [
      `/api/agents/${bobs}/web`,
      `/api/agents/${bobs}/web/revisions`,
      `/api/commands/${bobsCommand}`,
      `/api/metadata/sends/${sends.bobsAgent}`,
      `/api/metadata/sends/${sends.bobsHelm}`,
      // Her namespace's Helm values: she may list its agents, not read its Secrets.
      `/api/metadata/sends/${sends.alicesHelm}`,
    ])
      expect((await api.get(url)).status(), url).toBe(404);
    expect((await api.get(`/api/agents/${alices}/web`)).status()).toBe(200);
    expect((await api.get(`/api/metadata/sends/${sends.alicesAgent}`)).status()).toBe(200);
    const helmRows = (await (await api.get("/api/metadata/sends?forwarder=helm")).json()) as {
      rows: unknown[];
    };
    expect(helmRows.rows).toEqual([]);

    // bob may read Secrets in his namespace: there he sees the Helm values, not in alice's.
    const bob = await signInAs(browser, signIn, PEOPLE.bob, [alices, bobs]);
    const bobsHelm = await bob.request.get(`/api/metadata/sends/${sends.bobsHelm}`);
    expect(bobsHelm.status()).toBe(200);
    expect(((await bobsHelm.json()) as { send: { object: string } }).send.object).toBe(`${bobs}/datadog`);
    expect((await bob.request.get(`/api/metadata/sends/${sends.alicesHelm}`)).status()).toBe(404);
    await alice.context().close();
    await bob.context().close();
  } finally {
    await db.$disconnect();
  }
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

  // Signed in as alice, claiming to be bob and in his group: the dashboard sees alice only, who
  // may not even see bob's agent.
  const alice = await signInAs(browser, signIn, PEOPLE.alice, [alices], forged);
  await expect(agentRow(alice, bobs)).toHaveCount(0);
  await alice.goto(`/agents/${bobs}/web`);
  await expect(alice.getByRole("heading", { name: "No such DatadogAgent" })).toBeVisible();
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
  // The admin token sees the dashboard's own rows, its details as labelled fields.
  const row = page.getByTestId("audit-row").filter({ hasText: "auth.break-glass" }).first();
  await expect(row).toBeVisible();
  await expect(row.getByTestId("audit-details")).toContainText("Client address127.0.0.1");
  await row.getByText("Raw JSON").click();
  await expect(row.locator("pre")).toContainText('"client": "127.0.0.1"');

  // Ending it from the banner ends the session: back to the sign-in page, no banner.
  await page.getByRole("button", { name: "End the break-glass session" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByTestId("break-glass-banner")).toHaveCount(0);
  await context.close();
});
