// The fleet in the browser: a second real local cluster, with its own controller writing to the
// shared stack's database (PostgreSQL in CI), joins after the other specs ran. The fleet page
// shows both clusters; an experiment started from the fleet-wide agents list lands in cluster B
// only, though both clusters have a DatadogAgent of that name.
import { CoreV1Api, CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { randomBytes } from "node:crypto";
import { isReconciled, type ReconciledView } from "../testing/agent-state";
import { clusterDown, clusterUp } from "../testing/local-cluster";
import { freePort, startController, waitForHttp, type RunningProcess } from "../testing/processes";
import { expect, test } from "./fixtures";
import { e2eKubeConfig, e2eState } from "./state";

const CLUSTER_B = "fleetdeck-e2e-b";
const namespace = `e2e-fleet-${randomBytes(3).toString("hex")}`;
const dda = { group: "datadoghq.com", version: "v2alpha1", plural: "datadogagents", namespace };
const a = e2eKubeConfig();
let b: KubeConfig;
let controllerB: RunningProcess | undefined;

interface Agent extends ReconciledView {
  status?: ReconciledView["status"] & { experiment?: { id?: string; phase?: string } };
}
const agentIn = async (kc: KubeConfig) =>
  (await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ ...dda, name: "shared" })) as Agent;

async function createSharedAgent(kc: KubeConfig) {
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  await kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    ...dda,
    body: {
      apiVersion: "datadoghq.com/v2alpha1",
      kind: "DatadogAgent",
      metadata: { name: "shared" },
      spec: { features: { apm: { enabled: true } } },
    },
  });
}

test.describe.configure({ timeout: 240_000 });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  const { handle } = await clusterUp(CLUSTER_B);
  b = new KubeConfig();
  b.loadFromFile(handle.kubeconfig);
  const healthPort = await freePort();
  controllerB = startController("e2e-controller-b", {
    KUBECONFIG: handle.kubeconfig,
    DATABASE_URL: e2eState().databaseUrl,
    FLEETDECK_CONTROLLER_ID: "e2e-controller-b",
    FLEETDECK_HEALTH_ADDR: `127.0.0.1:${healthPort}`,
    // Per-user authorization left off in B (the stack's controller in A has it on).
    FLEETDECK_AUTHZ: "none",
  });
  await waitForHttp(`http://127.0.0.1:${healthPort}/readyz`, { proc: controllerB });
  await Promise.all([createSharedAgent(a), createSharedAgent(b)]);
  for (const kc of [a, b]) await expect.poll(async () => isReconciled(await agentIn(kc))).toBe(true);
});

test.afterAll(async () => {
  await controllerB?.stop();
  await a
    .makeApiClient(CoreV1Api)
    .deleteNamespace({ name: namespace })
    .catch(() => undefined);
  if (process.env.FLEETDECK_TEST_KEEP_CLUSTER !== "1") await clusterDown(CLUSTER_B);
});

test("the fleet page shows both clusters, each with its controller, and the fleet's totals", async ({
  page,
}) => {
  await page.goto("/");
  for (const name of [a.getCurrentContext(), b.getCurrentContext()]) {
    const card = page.locator(`[data-testid="cluster-card"][data-cluster="${name}"]`);
    await expect(card).toHaveAttribute("data-report", "reporting");
    await expect(card.getByTestId("leader")).not.toHaveText("none");
  }
  await expect(page.getByTestId("total-clusters")).toHaveText("2");
  await expect(page.getByTestId("total-reporting")).toHaveText("2 of 2");
});

test("each cluster's per-user authorization is shown; B, without it, is listed under needs attention with why and the fix", async ({
  page,
}) => {
  const [nameA, nameB] = [a.getCurrentContext(), b.getCurrentContext()];
  await page.goto("/");
  const authorization = (name: string) =>
    page.locator(`[data-testid="cluster-card"][data-cluster="${name}"]`).getByTestId("authorization");
  await expect(authorization(nameA)).toHaveAttribute("data-mode", "kubernetes");
  await expect(authorization(nameA)).toHaveText("on: Kubernetes RBAC");
  await expect(authorization(nameB)).toHaveAttribute("data-mode", "none");
  await expect(authorization(nameB)).toHaveText("off");
  const items = page.getByTestId("attention-item").and(page.locator('[data-kind="authorization-off"]'));
  await expect(items).toHaveCount(1);
  await expect(items.getByRole("link")).toHaveText(nameB);
  await expect(items).toContainText("per-user authorization is off (FLEETDECK_AUTHZ=none)");
  await expect(items).toContainText("whatever their Kubernetes RBAC says");
  await expect(items).toContainText("set FLEETDECK_AUTHZ=kubernetes on its controllers");
  await items.getByRole("link").click();
  await expect(page).toHaveURL(new RegExp(`#cluster-${encodeURIComponent(nameB)}$`));
});

test("an experiment started from the fleet-wide agents list lands in cluster B only", async ({ page }) => {
  const nameB = b.getCurrentContext();
  await page.goto("/agents");
  await expect(page.getByRole("columnheader", { name: "Cluster" })).toBeVisible();
  const rows = page.locator(`[data-testid="agent-row"][data-key="${namespace}/shared"]`);
  await expect(rows).toHaveCount(2);
  await rows
    .and(page.locator(`[data-cluster="${nameB}"]`))
    .getByRole("link", { name: "shared" })
    .click();
  await expect(page).toHaveURL(new RegExp(`/agents/${nameB}/${namespace}/shared$`));
  await expect(page.getByTestId("agent-cluster")).toHaveText(nameB);

  await page.getByLabel("Experiment id").fill("fleet-exp-b");
  await page.getByLabel("Config (YAML or JSON)").fill("features:\n  logCollection:\n    enabled: true\n");
  await page.getByRole("button", { name: "Start experiment" }).click();
  await expect(page.getByTestId("command-status")).toHaveAttribute("data-status", "applied");

  await expect.poll(async () => (await agentIn(b)).status?.experiment?.phase).toBe("running");
  expect((await agentIn(b)).status?.experiment?.id).toBe("fleet-exp-b");
  expect((await agentIn(a)).status?.experiment ?? null).toBeNull();

  // The cluster filter is kept in the URL: B's experiments list it, A's do not.
  await page.goto(`/experiments?cluster=${encodeURIComponent(nameB)}`);
  await expect(page.getByTestId("experiment-row").filter({ hasText: "fleet-exp-b" })).toHaveCount(1);
  await page.goto(`/experiments?cluster=${encodeURIComponent(a.getCurrentContext())}`);
  await expect(page.getByRole("link", { name: "All clusters" })).toBeVisible();
  await expect(page.getByTestId("experiment-row").filter({ hasText: "fleet-exp-b" })).toHaveCount(0);
});
