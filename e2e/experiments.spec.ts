// Experiments and revision history in the browser, against the whole stack: start an
// experiment from the start form, stop it through its confirmation, see the rollback reach the
// DaemonSet; roll back to an older revision through the diff dialog.
import { AppsV1Api, CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { randomBytes } from "node:crypto";
import { revisionName, specHash } from "../controller/agents/hash";
import { reconciledRevision, type ReconciledView } from "../testing/agent-state";
import { expect, test } from "./fixtures";
import { e2eKubeConfig } from "./state";

const kc = e2eKubeConfig();
const namespace = `e2e-exp-${randomBytes(3).toString("hex")}`;
const dda = { group: "datadoghq.com", version: "v2alpha1", plural: "datadogagents", namespace };
const custom = kc.makeApiClient(CustomObjectsApi);
const spec = (logLevel: string) => ({
  global: { logLevel, credentials: { apiSecret: { secretName: "datadog-secret", keyName: "api-key" } } },
  features: { apm: { enabled: true } },
});

interface Agent extends ReconciledView {
  spec: Record<string, unknown>;
  status?: ReconciledView["status"] & { experiment?: { phase?: string; terminationReason?: string } };
}
const getAgent = async (name: string) => (await custom.getNamespacedCustomObject({ ...dda, name })) as Agent;
/** The revision of the agent's spec, once fleetdeck has reconciled its generation. */
const revisionOf = async (name: string) => reconciledRevision(await getAgent(name));

/** The revision stamped on the DaemonSet's pod template: what runs. */
async function daemonSetRevision(name: string): Promise<string | undefined> {
  const ds = await kc.makeApiClient(AppsV1Api).readNamespacedDaemonSet({ namespace, name: `${name}-agent` });
  return ds.spec?.template.metadata?.annotations?.["fleetdeck.dev/revision"];
}

async function createAgent(name: string): Promise<string> {
  await custom.createNamespacedCustomObject({
    ...dda,
    body: {
      apiVersion: "datadoghq.com/v2alpha1",
      kind: "DatadogAgent",
      metadata: { name },
      spec: spec("info"),
    },
  });
  let revision: string | undefined;
  await expect.poll(async () => (revision = await revisionOf(name)), { timeout: 20_000 }).toBeTruthy();
  return revision!;
}

/** An outside edit; returns the revision it becomes once reconciled. */
async function editSpec(name: string, logLevel: string): Promise<string> {
  const before = await getAgent(name);
  await custom.replaceNamespacedCustomObject({ ...dda, name, body: { ...before, spec: spec(logLevel) } });
  const expected = revisionName(name, specHash(spec(logLevel)));
  await expect.poll(() => revisionOf(name)).toBe(expected);
  return expected;
}

test.beforeAll(async () => {
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  await kc.makeApiClient(CoreV1Api).createNamespacedSecret({
    namespace,
    body: { metadata: { name: "datadog-secret" }, stringData: { "api-key": "placeholder-not-a-real-key" } },
  });
});
test.afterAll(async () => {
  await kc
    .makeApiClient(CoreV1Api)
    .deleteNamespace({ name: namespace })
    .catch(() => undefined);
});

test("start an experiment from the UI, see it running, stop it, and see the DaemonSet back at the baseline", async ({
  page,
}) => {
  const baseline = await createAgent("web");
  await page.goto("/agents");
  await expect(page.getByTestId("live-state")).toHaveAttribute("data-state", "live");
  const row = page.locator(`[data-testid="agent-row"][data-key="${namespace}/web"]`);
  await expect(row).toContainText(baseline);
  await row.getByRole("link", { name: "web" }).click();
  await expect(page.getByRole("heading", { name: "web", level: 1 })).toBeVisible();

  // Inline validation: a syntax error and a wrong section are named, and submit stays disabled.
  const config = page.getByLabel("Config (YAML or JSON)");
  const submit = page.getByRole("button", { name: "Start experiment" });
  await config.fill("features: [\n");
  await expect(page.getByTestId("config-problems")).toContainText("not valid YAML or JSON");
  await expect(submit).toBeDisabled();
  await config.fill("spec:\n  features: {}\n");
  await expect(page.getByTestId("config-problems")).toContainText('Unrecognized key: "spec"');
  await expect(submit).toBeDisabled();

  await page.getByLabel("Experiment id").fill("web-exp-1");
  await page.getByLabel("Timeout (seconds, optional)").fill("600");
  await config.fill("features:\n  logCollection:\n    enabled: true\n");
  await expect(page.getByTestId("config-problems")).toHaveCount(0);
  await expect(page.getByTestId("spec-diff").first()).toContainText("candidate");
  await submit.click();
  await expect(page.getByTestId("command-status")).toHaveAttribute("data-status", "applied");

  const panel = page.locator("section", {
    has: page.getByRole("heading", { name: "Experiment", exact: true }),
  });
  await expect(panel.getByTestId("phase").first()).toHaveAttribute("data-phase", "running");
  await expect(panel.getByTestId("experiment-id")).toHaveText("web-exp-1");
  await expect(panel.getByTestId("countdown")).toContainText(/\d+:\d\d left/);
  await expect(panel.getByTestId("spec-diff")).toContainText("logCollection");
  const candidate = revisionName("web", specHash((await getAgent("web")).spec));
  expect(candidate).not.toBe(baseline);
  await expect.poll(() => daemonSetRevision("web")).toBe(candidate);

  // Stop, through its confirmation (which shows what is undone).
  const stopButton = panel.getByRole("button", { name: "Stop" });
  await stopButton.click();
  const dialog = page.getByRole("dialog", { name: "Stop experiment web-exp-1?" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId("spec-diff")).toContainText(`baseline ${baseline}`);
  await dialog.getByRole("button", { name: "Stop and roll back" }).click();
  await expect(dialog.getByTestId("command-status")).toHaveAttribute("data-status", "applied");
  await expect(dialog.getByTestId("command-status")).toContainText(
    `rolling ${namespace}/web back to baseline ${baseline}`,
  );
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();

  // The operator's phase stays until the next start: terminated, stopped.
  await expect(panel.getByTestId("phase").first()).toHaveAttribute("data-phase", "terminated");
  await expect(panel.getByTestId("phase").first()).toHaveAttribute("data-reason", "stopped");
  await expect(panel.getByTestId("experiment-reason")).toContainText("stopped: the baseline was restored");
  await expect(panel.getByRole("button", { name: "Stop" })).toBeDisabled();
  await expect(page.getByTestId("current-revision")).toHaveText(baseline);
  await expect.poll(() => daemonSetRevision("web")).toBe(baseline);
  await expect(page.getByTestId("revision-row").first()).toHaveAttribute("data-cause", "rollback");

  await page.goto("/experiments");
  const experiment = page.getByTestId("experiment-row").filter({ hasText: "web-exp-1" });
  await expect(experiment).toHaveAttribute("data-outcome", "rolled-back");
  await expect(experiment).toContainText("stopped by local");
  await expect(experiment.getByTestId("experiment-phase")).toHaveText(
    "status.experiment: terminated (stopped)",
  );
});

test("roll back to an older revision from the history through the diff dialog", async ({ page }) => {
  const first = await createAgent("history");
  await editSpec("history", "debug");
  const current = await editSpec("history", "warn");
  await page.goto(`/agents/${namespace}/history`);
  await expect(page.getByTestId("current-revision")).toHaveText(current);

  const target = page.locator(`[data-testid="revision-row"][data-revision="${first}"]`);
  const open = target.getByRole("button", { name: "Roll back to this revision" });
  await open.click();
  const dialog = page.getByRole("dialog", { name: `Roll back to revision ${first.slice(-10)}?` });
  await expect(dialog).toBeVisible();
  // What you roll back to: the diff from the current spec to the target.
  const diff = dialog.getByTestId("spec-diff");
  await expect(diff.locator('[data-kind="removed"]')).toContainText("logLevel: warn");
  await expect(diff.locator('[data-kind="added"]')).toContainText("logLevel: info");
  // Escape closes without doing anything, and focus returns to the button that opened it.
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(open).toBeFocused();

  await open.click();
  const confirm = dialog.getByRole("button", { name: "Roll back" });
  await expect(confirm).toBeEnabled();
  await confirm.click();
  await expect(dialog.getByTestId("command-status")).toHaveAttribute("data-status", "applied");
  await dialog.getByRole("button", { name: "Close", exact: true }).click();

  await expect(page.getByTestId("current-revision")).toHaveText(first);
  await expect(page.getByTestId("revision-row").first()).toHaveAttribute("data-cause", "restore");
  await expect(page.getByTestId("revision-row").first()).toContainText("local");
  await expect.poll(() => daemonSetRevision("history")).toBe(first);
  expect((await getAgent("history")).spec).toMatchObject({ global: { logLevel: "info" } });
});
