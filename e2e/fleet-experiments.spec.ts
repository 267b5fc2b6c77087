// Fleet experiments in the browser, on the shared stack plus a second real cluster with its own
// controller and a fleet driver: the plan preview (waves, the diff, a cluster left out with
// why), the start, a manual approval of the second wave, and the halt when that wave's change
// crash-loops, with each cluster's restore shown as confirmed. The Overview lists the fleet
// experiment while it waits for approval and once it halted.
import { randomBytes, randomUUID } from "node:crypto";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { clusterDown, clusterUp } from "../testing/local-cluster";
import {
  CRASHLOOP_REGISTRY,
  PINNED_AGENT_SPEC,
  REGISTRY_AGENT_SPEC,
  createAgent,
  launchFleetDriver,
  type FleetDriverProcess,
} from "../testing/fleet-experiments";
import { freePort, startController, waitForHttp, type RunningProcess } from "../testing/processes";
import { expect, test } from "./fixtures";
import { e2eDatabase, e2eKubeConfig, e2eState } from "./state";

const CLUSTER_B = "fleetdeck-e2e-fx";
const NAME_B = "e2e-fx-b";
const SILENT = "e2e-fx-silent";
const namespace = `e2e-fx-${randomBytes(3).toString("hex")}`;
const fleetName = `e2e-crash-${randomBytes(2).toString("hex")}`;
const a = e2eKubeConfig();
let b: KubeConfig;
let controllerB: RunningProcess | undefined;
let driver: FleetDriverProcess | undefined;

test.describe.configure({ timeout: 300_000 });

test.beforeAll(async () => {
  test.setTimeout(300_000);
  const { handle } = await clusterUp(CLUSTER_B);
  b = new KubeConfig();
  b.loadFromFile(handle.kubeconfig);
  const healthPort = await freePort();
  controllerB = startController("e2e-fx-controller-b", {
    KUBECONFIG: handle.kubeconfig,
    DATABASE_URL: e2eState().databaseUrl,
    FLEETDECK_CONTROLLER_ID: "e2e-fx-controller-b",
    FLEETDECK_CLUSTER_NAME: NAME_B,
    FLEETDECK_CLUSTER_LABELS: "ring=main",
    FLEETDECK_HEALTH_ADDR: `127.0.0.1:${healthPort}`,
  });
  await waitForHttp(`http://127.0.0.1:${healthPort}/readyz`, { proc: controllerB });
  driver = await launchFleetDriver("e2e-fleet-driver", e2eState().databaseUrl);
  for (const [kc, spec] of [
    [a, PINNED_AGENT_SPEC],
    [b, REGISTRY_AGENT_SPEC],
  ] as const) {
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    await createAgent(kc, namespace, "agent", spec);
  }
  // A cluster registered once whose controllers are gone: the plan leaves it out, saying why.
  const db = await e2eDatabase();
  const now = Date.now();
  const id = randomUUID();
  await db.cluster.create({
    data: {
      id,
      name: SILENT,
      kubernetesVersion: "v1.34.4",
      apiServer: "https://gone",
      updatedAt: new Date(now),
    },
  });
  await db.controllerHeartbeat.create({
    data: {
      clusterId: id,
      controllerId: "gone",
      hostname: "gone",
      pid: 1,
      version: "0",
      kubernetesVersion: "v1.34.4",
      apiServer: "https://gone",
      startedAt: new Date(now - 7_200_000),
      lastSeenAt: new Date(now - 3_600_000),
    },
  });
  // Both agents reconciled and rolled out before the plan is made.
  await expect
    .poll(
      async () =>
        (await db.agentRollout.findMany({ where: { agentKey: `${namespace}/agent` } })).map((r) => r.state),
      { timeout: 120_000 },
    )
    .toEqual(["healthy", "healthy"]);
  await db.$disconnect();
});

test.afterAll(async () => {
  await driver?.proc.stop();
  await controllerB?.stop();
  await a
    .makeApiClient(CoreV1Api)
    .deleteNamespace({ name: namespace })
    .catch(() => undefined);
  if (process.env.FLEETDECK_TEST_KEEP_CLUSTER !== "1") await clusterDown(CLUSTER_B);
});

test("plan preview, start, approval of the second wave, and the halt with each cluster's restore", async ({
  page,
}) => {
  const nameA = a.getCurrentContext();
  await page.goto("/fleet-experiments");
  await page.getByRole("link", { name: "New fleet experiment" }).click();
  await expect(page).toHaveURL(/\/fleet-experiments\/new$/);

  await page.getByLabel("Name", { exact: true }).fill(fleetName);
  await page
    .getByLabel("Candidate change (YAML or JSON)")
    .fill(`global:\n  registry: ${CRASHLOOP_REGISTRY}\n`);
  await page.getByLabel("DatadogAgents", { exact: true }).fill(`${namespace}/agent`);
  await page.getByLabel("Health gate grace (seconds, optional)").fill("20");
  await page.getByLabel("wave 1 clusters").fill(nameA);
  await page.getByLabel("wave 2 selects clusters").selectOption("selector");
  await page.getByLabel("wave 2 clusters").fill("ring=main");
  await expect(page.getByLabel("wave 2 starts")).toHaveValue("manual");

  // Nothing can start before the plan is previewed.
  await expect(page.getByRole("button", { name: "Start fleet experiment" })).toBeDisabled();
  await page.getByRole("button", { name: "Preview plan" }).click();
  const preview = page.getByTestId("plan-preview");
  await expect(preview).toHaveAttribute("data-ok", "true");
  await expect(page.locator('[data-testid="plan-cluster"][data-wave="1"]')).toHaveAttribute(
    "data-cluster",
    nameA,
  );
  await expect(page.locator('[data-testid="plan-cluster"][data-wave="2"]')).toHaveAttribute(
    "data-cluster",
    NAME_B,
  );
  await expect(page.locator('[data-testid="plan-wave"][data-wave="1"]')).toContainText("agent pods change");
  const silent = page.locator(`[data-testid="left-out"][data-cluster="${SILENT}"]`);
  await expect(silent).toHaveAttribute("data-reason", "not-reporting");
  await expect(silent).toContainText("no controller heartbeat since");
  // Each cluster's diff of the candidate against its own spec.
  await page.locator('[data-testid="plan-cluster"][data-wave="2"] summary').click();
  await expect(page.locator('[data-testid="plan-cluster"][data-wave="2"]')).toContainText(
    `registry: ${CRASHLOOP_REGISTRY}`,
  );

  // Editing the form makes the preview stale: it must be previewed again.
  await page.getByLabel("wave 1 bake seconds").fill("1");
  await expect(page.getByTestId("preview-stale")).toBeVisible();
  await expect(page.getByRole("button", { name: "Start fleet experiment" })).toBeDisabled();
  await page.getByLabel("wave 1 bake seconds").fill("0");
  await page.getByRole("button", { name: "Preview plan" }).click();
  await expect(preview).toHaveAttribute("data-ok", "true");

  await page.getByRole("button", { name: "Start fleet experiment" }).click();
  await expect(page).toHaveURL(new RegExp(`/fleet-experiments/${fleetName}$`));
  const phase = page.getByTestId("fleet-phase");
  const targetIn = (cluster: string) =>
    page.locator(`[data-testid="fleet-target"][data-cluster="${cluster}"]`);

  // Wave 1 passes (cluster A's agent names its images: the registry change runs there); wave 2
  // waits for a person.
  await expect(phase).toHaveAttribute("data-phase", "waiting-approval", { timeout: 120_000 });
  await expect(targetIn(nameA)).toHaveAttribute("data-state", "passed");
  await expect(targetIn(NAME_B)).toHaveAttribute("data-state", "waiting");
  await expect(page.getByTestId("fleet-driver")).toContainText("e2e-fleet-driver");
  await page.goto("/");
  await expect(
    page
      .locator('[data-testid="attention-item"][data-kind="fleet-experiment-approval"]')
      .filter({ hasText: fleetName }),
  ).toBeVisible();
  await page.getByRole("link", { name: fleetName }).click();

  await page.getByRole("button", { name: "Approve wave 2" }).click();
  await expect(page.getByTestId("fleet-request-status")).toContainText("now running");
  await expect(targetIn(NAME_B)).toHaveAttribute("data-state", /running|baking/, { timeout: 60_000 });

  // B's candidate crash-loops: its health gate trips after its 20 s grace, the fleet experiment
  // halts, and both clusters are put back, each restore confirmed.
  await expect(phase).toHaveAttribute("data-phase", "halted", { timeout: 150_000 });
  await expect(page.getByTestId("halt-cause")).toContainText(
    `${NAME_B}: ${namespace}/agent: rolled back by its health gate`,
  );
  for (const cluster of [nameA, NAME_B]) {
    await expect(targetIn(cluster)).toHaveAttribute("data-state", "restored");
    await expect(targetIn(cluster).getByTestId("restore-confirmed")).toBeVisible();
  }
  await expect(targetIn(NAME_B).getByTestId("target-failure")).toContainText(
    "rolled back by its health gate",
  );
  await expect(targetIn(nameA)).toContainText("restore #");
  await expect(page.locator('[data-testid="fleet-wave"][data-wave="2"]')).toHaveAttribute(
    "data-status",
    "halted",
  );

  await page.goto("/");
  await expect(
    page
      .locator('[data-testid="attention-item"][data-kind="fleet-experiment-halted"]')
      .filter({ hasText: fleetName }),
  ).toBeVisible();
});
