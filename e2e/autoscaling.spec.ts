// The autoscaler section in the browser against the whole stack: the controller's gate is
// closed until an autoscaler exists, and opens live (no reload) when one is created, the
// autoscaler's row then showing its target, settings, current replicas and conditions.
import { AppsV1Api, CoreV1Api } from "@kubernetes/client-node";
import { autoscalerBody, createAutoscaler } from "../test/autoscaling";
import { expect, test } from "./fixtures";
import { e2eKubeConfig, e2eState } from "./state";

const namespace = `gate-e2e-${Date.now().toString(36)}`;

test.afterAll(async () => {
  await e2eKubeConfig()
    .makeApiClient(CoreV1Api)
    .deleteNamespace({ name: namespace })
    .catch(() => undefined);
});

test("the gate opens live when an autoscaler is created", async ({ page }) => {
  const kc = e2eKubeConfig();
  const controllerId = e2eState().controllerEnv.FLEETDECK_CONTROLLER_ID;
  await page.goto("/autoscaling");
  await expect(page.getByRole("heading", { name: "Workload autoscalers" })).toBeVisible();
  await expect(page.getByTestId("live-state")).toHaveAttribute("data-state", "live");
  const gate = page.locator(`[data-testid="autoscaling-gate"][data-controller="${controllerId}"]`);
  await expect(gate).toHaveAttribute("data-state", "closed");
  await expect(gate.getByTestId("gate-summary")).toContainText("Closed: no DatadogPodAutoscaler");
  // Spot scheduling is on in this stack, so the pod cache already runs.
  await expect(gate.getByTestId("pod-store-state")).toContainText("started with spot scheduling");

  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  await kc.makeApiClient(AppsV1Api).createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name: "checkout" },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "checkout" } },
        template: {
          metadata: { labels: { app: "checkout" } },
          spec: { containers: [{ name: "checkout", image: "registry.example/checkout:1" }] },
        },
      },
    },
  });
  await createAutoscaler(
    kc,
    namespace,
    autoscalerBody("checkout", { name: "checkout" }, { constraints: { minReplicas: 2, maxReplicas: 10 } }),
  );

  await expect(gate).toHaveAttribute("data-state", "open");
  await expect(gate.getByTestId("gate-opened-by")).toHaveText(`DatadogPodAutoscaler ${namespace}/checkout`);
  await expect(gate.getByTestId("gate-summary")).toContainText(/Open since \d+ s ago/);
  await expect(gate.getByTestId("pods-cached")).not.toHaveText("0");
  await expect(gate.getByTestId("pod-store-memory")).toHaveText(/^\d+(\.\d)? MB$/);

  const row = page.locator(`[data-testid="autoscaler"][data-autoscaler="${namespace}/checkout"]`);
  await expect(row).toContainText("Deployment checkout");
  await expect(row).toContainText("Apply");
  await expect(row).toContainText("Local");
  await expect(row).toContainText("2 – 10");
  await expect(row.getByTestId("autoscaler-replicas")).toHaveText("2", { timeout: 20_000 });
  await expect(row.locator('[data-testid="condition"][data-type="Active"]')).toHaveAttribute(
    "data-status",
    "True",
  );
  await expect(row.locator('[data-testid="condition"][data-type="Error"]')).toHaveAttribute(
    "data-status",
    "False",
  );
});
