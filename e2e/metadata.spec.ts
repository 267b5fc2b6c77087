// A DatadogAgent edited through the API shows up on the Metadata page live, with a diff of
// what changed, and the fake intake received the same payload.
import { CoreV1Api } from "@kubernetes/client-node";
import type { IntakeRecord } from "../testing/fakeintake/server";
import { crds } from "../testing/custom-resources";
import { crdSends } from "../test/metadata";
import { expect, test } from "./fixtures";
import { e2eKubeConfig, e2eState } from "./state";

const NAMESPACE = `e2e-metadata-${Date.now().toString(36)}`;

test.beforeAll(async () => {
  await e2eKubeConfig()
    .makeApiClient(CoreV1Api)
    .createNamespace({ body: { metadata: { name: NAMESPACE } } });
});
test.afterAll(async () => {
  await e2eKubeConfig()
    .makeApiClient(CoreV1Api)
    .deleteNamespace({ name: NAMESPACE })
    .catch(() => undefined);
});

async function intakeRecords(): Promise<IntakeRecord[]> {
  const res = await fetch(`${e2eState().fakeIntakeURL}/fakeintake/records`);
  return (await res.json()) as IntakeRecord[];
}

test("a DatadogAgent edited through the API appears on the Metadata page live, with its diff", async ({
  page,
}) => {
  const api = crds(e2eKubeConfig());
  const name = "web-agent";
  const object = `${NAMESPACE}/${name}`;
  await page.goto("/metadata");
  await expect(page.getByRole("heading", { level: 1, name: "Metadata" })).toBeVisible();
  await expect(page.getByTestId("forwarder-crd")).toBeVisible();
  await expect(page.getByRole("list", { name: "CRD forwarder active watches" })).toContainText(
    "DatadogAgent",
  );
  await expect(page.getByTestId("live-state")).toHaveAttribute("data-state", "live");

  await api.create("DatadogAgent", NAMESPACE, name, { global: { site: "datadoghq.com", logLevel: "info" } });
  const rows = page.locator(`[data-testid="send-row"][data-object="${object}"]`);
  // No reload: the live stream brings the row in.
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("create");

  await api.patch("DatadogAgent", NAMESPACE, name, { spec: { global: { logLevel: "debug" } } });
  await expect(rows).toHaveCount(2);
  const update = rows.first();
  await expect(update).toContainText("update");
  await expect(update).toContainText("sent 202");

  await update.getByRole("button", { name: object }).click();
  const viewer = page.getByTestId("payload-viewer");
  await expect(viewer).toContainText("Changes since send");
  await expect(viewer.locator('[data-diff="removed"]', { hasText: "logLevel: info" })).toBeVisible();
  await expect(viewer.locator('[data-diff="added"]', { hasText: "logLevel: debug" })).toBeVisible();

  // What the page shows is what the intake received.
  const sends = crdSends(await intakeRecords(), "DatadogAgent", NAMESPACE, name);
  expect(sends.map((s) => JSON.parse(s.crd_spec_full).global.logLevel)).toEqual(["info", "debug"]);

  // Filtering by object keeps the rows of this agent only.
  await page.goto(`/metadata?object=${encodeURIComponent(object)}&reason=update`);
  await expect(page.getByTestId("send-row")).toHaveCount(1);
});
