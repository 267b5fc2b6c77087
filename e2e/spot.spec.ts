// The spot panel in the browser against the whole stack: a spot-enabled Deployment's split
// shows as a ratio bar against its target, disabling spot holds the rebalancer back, and
// "Re-enable spot now" lets it move the workload to its new target, its events arriving live.
import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { SPOT_DISABLED_UNTIL_ANNOTATION } from "../lib/spot";
import { podSplit } from "../testing/spot-cluster";
import { spotDeployment } from "../test/spot";
import { expect, test } from "./fixtures";
import { e2eKubeConfig } from "./state";

const namespace = `spot-e2e-${Date.now().toString(36)}`;

test.beforeAll(async () => {
  const kc = e2eKubeConfig();
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  await kc.makeApiClient(AppsV1Api).createNamespacedDeployment({
    namespace,
    body: spotDeployment(namespace, "checkout", 10, { percentage: 60, minOnDemandReplicas: 2 }),
  });
});

test.afterAll(async () => {
  await e2eKubeConfig()
    .makeApiClient(CoreV1Api)
    .deleteNamespace({ name: namespace })
    .catch(() => undefined);
});

test("the spot panel shows the split against the target, and Re-enable spot now takes effect", async ({
  page,
}) => {
  test.setTimeout(120_000);
  const kc = e2eKubeConfig();
  await page.goto("/autoscaling");
  await expect(page.getByRole("heading", { name: "Spot scheduling" })).toBeVisible();
  await expect(page.getByTestId("live-state")).toHaveAttribute("data-state", "live");

  const card = page.locator(
    `[data-testid="spot-workload"][data-workload="Deployment/${namespace}/checkout"]`,
  );
  const bar = card.getByTestId("spot-ratio-bar");
  // 10 replicas at 60 %, minimum 2 on-demand: 6 spot and 4 on-demand, on target.
  await expect(bar).toHaveAttribute("data-spot", "6", { timeout: 30_000 });
  await expect(bar).toHaveAttribute("data-on-demand", "4");
  await expect(bar).toHaveAttribute("data-on-target", "true");
  await expect(bar).toHaveAccessibleName("6 spot and 4 on-demand pods; target 6 spot and 4 on-demand");
  await expect(card.getByTestId("spot-target-percentage")).toHaveText("60 %");
  await expect(card.getByTestId("spot-min-on-demand")).toHaveText("2");
  await expect(card.getByTestId("spot-state")).toHaveAttribute("data-state", "enabled");

  // Disable spot for 5 minutes from the panel: requested → applied, then a live countdown.
  await card.getByLabel("Minutes").fill("5");
  await card.getByRole("button", { name: "Disable spot for 5 minutes" }).click();
  const status = card.getByTestId("command-status");
  await expect(status).toHaveAttribute("data-status", "applied");
  await expect(status).toContainText("spot scheduling disabled for Deployment");
  await expect(card.getByTestId("spot-state")).toHaveAttribute("data-state", "disabled");
  const countdown = card.getByTestId("spot-countdown");
  const first = await countdown.textContent();
  await expect(countdown).not.toHaveText(first!, { timeout: 3_000 });
  expect(first).toMatch(/^[45] min \d+ s$/);

  // A new target while spot is disabled: the rebalancer holds off.
  await kc.makeApiClient(AppsV1Api).patchNamespacedDeployment(
    {
      name: "checkout",
      namespace,
      body: {
        metadata: {
          annotations: {
            "autoscaling.datadoghq.com/spot-config": '{"percentage":100,"minOnDemandReplicas":2}',
          },
        },
      },
    },
    setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
  );
  await expect(card.getByTestId("spot-target-percentage")).toHaveText("100 %");
  await expect(bar).toHaveAttribute("data-target-spot", "8");
  await page.waitForTimeout(5_000); // more than two loop ticks and the stabilization period
  await expect(bar).toHaveAttribute("data-spot", "6");

  // Re-enable: the annotation goes, and the rebalancer moves the workload to 8 / 2, with its events.
  await card.getByRole("button", { name: "Re-enable spot now" }).click();
  await expect(status).toHaveAttribute("data-status", "applied");
  await expect(status).toContainText("spot scheduling re-enabled");
  await expect(card.getByTestId("spot-state")).toHaveAttribute("data-state", "enabled");
  const deployment = await kc
    .makeApiClient(AppsV1Api)
    .readNamespacedDeployment({ name: "checkout", namespace });
  expect(deployment.metadata?.annotations?.[SPOT_DISABLED_UNTIL_ANNOTATION]).toBeUndefined();

  await expect(bar).toHaveAttribute("data-spot", "8", { timeout: 45_000 });
  await expect(bar).toHaveAttribute("data-on-demand", "2");
  await expect(bar).toHaveAttribute("data-on-target", "true");
  const events = card.getByTestId("spot-event");
  await expect(events.filter({ hasText: "Evicted on-demand pod for rebalancing" })).toHaveCount(2);
  await expect(events.first()).toHaveAttribute("data-reason", "SpotRebalancingEviction");
  const split = await podSplit(kc, namespace, "checkout");
  expect({ spot: split.spot, onDemand: split.onDemand }).toEqual({ spot: 8, onDemand: 2 });
});
