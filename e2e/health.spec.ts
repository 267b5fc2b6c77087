// Agent health in the browser, against the whole stack with kwok's simulated failures
// (config/cluster/kwok-stages.yaml): an agent whose image crash-loops shows as degraded in the
// list and its rollout panel names the failing pods with their reasons and nodes; an experiment
// whose candidate crash-loops (started from the form, its gate reporting only) cannot be promoted;
// the fleet page lists the unhealthy agent under "needs attention", a link to its page.
import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { randomBytes } from "node:crypto";
import { expect, test } from "./fixtures";
import { e2eKubeConfig } from "./state";

const kc = e2eKubeConfig();
const namespace = `e2e-health-${randomBytes(3).toString("hex")}`;
const dda = { group: "datadoghq.com", version: "v2alpha1", plural: "datadogagents", namespace };
const custom = kc.makeApiClient(CustomObjectsApi);

async function createAgent(name: string, override: Record<string, unknown> = {}): Promise<void> {
  await custom.createNamespacedCustomObject({
    ...dda,
    body: {
      apiVersion: "datadoghq.com/v2alpha1",
      kind: "DatadogAgent",
      metadata: { name },
      spec: { global: { logLevel: "info" }, override },
    },
  });
}

test.beforeAll(async () => {
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
});
test.afterAll(async () => {
  await kc
    .makeApiClient(CoreV1Api)
    .deleteNamespace({ name: namespace })
    .catch(() => undefined);
});

test("a crash-looping agent: degraded in the list, its failing pods with reason and node in the rollout panel", async ({
  page,
}) => {
  await createAgent("crashing", { nodeAgent: { image: { tag: "7.72.1-crashloop" } } });

  await page.goto("/agents");
  const row = page.locator(`[data-testid="agent-row"][data-key="${namespace}/crashing"]`);
  await expect(row.getByTestId("rollout-state")).toHaveAttribute("data-state", "degraded", {
    timeout: 30_000,
  });
  await expect(row.getByTestId("agent-health")).toContainText("0/6 ready");
  await expect(row.getByTestId("agent-health")).toContainText("6 pods not ready");

  await row.getByRole("link", { name: "crashing" }).click();
  const panel = page.getByTestId("rollout-panel");
  await expect(panel.getByTestId("failing-pod")).toHaveCount(6);
  await expect(panel.getByTestId("failing-reason").first()).toHaveText("CrashLoopBackOff");
  const spot = panel.getByTestId("failing-pod").filter({ hasText: "kwok-spot-0" });
  await expect(spot).toContainText("last exit: Error (exit code 1)");
  await expect(spot).toContainText("back-off 10s restarting failed container=agent");
  await expect(panel.getByTestId("coverage")).toContainText("Runs on 0 of 6 nodes");
  await expect(panel.getByTestId("uncovered-node")).toHaveCount(6);
  await expect(panel.getByTestId("uncovered-node").first()).toContainText(
    "agent pod not ready: CrashLoopBackOff",
  );
  // Restarts count up live (kwok restarts the container every 5-10 s).
  const restarts = spot.locator("td").nth(3);
  const before = Number(await restarts.textContent());
  await expect
    .poll(async () => Number(await restarts.textContent()), { timeout: 30_000 })
    .toBeGreaterThan(before);
});

test("the fleet page leads with what needs attention: the unhealthy agent, a link to its page", async ({
  page,
}) => {
  await createAgent("failing", { nodeAgent: { image: { tag: "7.72.1-crashloop" } } });
  await page.goto("/");
  const item = page
    .getByTestId("attention-item")
    .filter({ hasText: `${namespace}/failing` })
    .and(page.locator('[data-kind="agent-unhealthy"]'));
  await expect(item).toHaveCount(1, { timeout: 40_000 });
  await expect(item).toContainText("agents ready");
  await expect(item).toContainText("CrashLoopBackOff");
  await item.getByRole("link").click();
  await page.waitForURL(`**/${namespace}/failing`);
  await expect(page.getByTestId("rollout-state")).toHaveAttribute("data-state", "degraded");
});

test("an experiment whose candidate crash-loops: the panel says unhealthy and Promote is disabled with the reason", async ({
  page,
}) => {
  await createAgent("gated");
  // Through the list, once the controller has reconciled it (the agent page is a 404 before).
  await page.goto("/agents");
  await page.locator(`[data-testid="agent-row"][data-key="${namespace}/gated"]`).getByRole("link").click();
  await page.waitForURL(`**/${namespace}/gated`);
  await expect(page.getByTestId("rollout-state")).toHaveAttribute("data-state", "healthy", {
    timeout: 30_000,
  });

  await page.getByLabel("Experiment id").fill("crash-ui");
  await page
    .getByLabel("Config (YAML or JSON)")
    .fill("override:\n  nodeAgent:\n    image:\n      tag: 7.72.1-crashloop\n");
  await page.getByLabel("Roll back by itself when the candidate's pods fail").uncheck();
  await page.getByLabel("Grace (seconds, optional)").fill("5");
  await page.getByRole("button", { name: "Start experiment" }).click();

  await expect(page.getByTestId("candidate-state")).toHaveAttribute("data-state", "unhealthy", {
    timeout: 40_000,
  });
  await expect(page.getByTestId("candidate-health")).toContainText("CrashLoopBackOff");
  await expect(page.getByTestId("candidate-health")).toContainText("is reported only");
  const promote = page.getByRole("button", { name: "Promote" });
  await expect(promote).toBeDisabled();
  await expect(promote).toHaveAttribute(
    "title",
    /^the candidate is unhealthy: 1 of \d candidate pods unavailable/,
  );
  // The rollout panel shows the candidate's failing pod next to the baseline's ready ones.
  await expect(page.getByTestId("rollout-panel").getByTestId("failing-reason").first()).toHaveText(
    "CrashLoopBackOff",
  );
  await expect(
    page.getByTestId("workload-rollout").filter({ hasText: "DaemonSet" }).getByTestId("revision-bar"),
  ).toHaveCount(2);
});
