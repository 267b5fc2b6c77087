// The not-found and error pages, and the dashboard's queries on SQLite in the production build:
// a dashboard of its own on a SQLite file (whatever store the shared stack runs on), its rows
// written by the controller's store writers.
import { expect, test } from "@playwright/test";
import { AgentReadModel } from "../controller/agents/read-model";
import { recordAudit } from "../controller/store/audit";
import { registerCluster } from "../controller/store/clusters";
import { openDatabase, type Database } from "../lib/db/open";
import { createTestDatabaseFile } from "../testing/database";
import { freePort, startWeb, waitForHttp, type RunningProcess } from "../testing/processes";

let web: RunningProcess;
let db: Database;
let baseURL: string;

const agent = (key: string) => {
  const [namespace, name] = key.split("/") as [string, string];
  return {
    key,
    namespace,
    name,
    uid: `uid-${name}`,
    generation: 1,
    spec: { global: { site: "datadoghq.com" } },
    status: { currentRevision: `${name}-abc` },
    renderError: null,
  };
};

test.beforeAll(async () => {
  const file = await createTestDatabaseFile("error-pages");
  db = await openDatabase({ file });
  await registerCluster(db, {
    clusterId: "uid-east",
    name: "east",
    kubernetesVersion: "v1.34.4",
    server: "https://east.example:6443",
  });
  const agents = new AgentReadModel(db, "uid-east");
  await agents.syncAgent(agent("datadog/agent"));
  await agents.syncAgent(agent("datadog/broken"));
  for (const target of ["datadog/Agent", "other/thing"])
    await recordAudit(db, "uid-east", {
      actor: "alice",
      action: "command.requested",
      targetKind: "DatadogAgent",
      target,
    });
  const port = await freePort();
  web = startWeb("error-pages-web", { DATABASE_URL: `file:${file}`, FLEETDECK_WEB_PORT: String(port) });
  baseURL = `http://127.0.0.1:${port}`;
  await waitForHttp(`${baseURL}/api/controllers`, { proc: web });
});

test.afterAll(async () => {
  await web?.stop();
  await db?.$disconnect();
});

test("the dashboard's lists read SQLite: agents, and the audit trail with a text filter", async ({
  page,
}) => {
  await page.goto(`${baseURL}/agents`);
  await expect(page.getByTestId("agent-row")).toHaveCount(2);
  await page.goto(`${baseURL}/audit?target=AGENT`);
  await expect(page.getByTestId("audit-row")).toHaveCount(1);
  await expect(page.getByTestId("audit-row")).toContainText("datadog/Agent");
});

test("an address without a page, and an agent that is not there, show the way back", async ({ page }) => {
  // A real 404, not a 200 whose page says so: nothing streams before the page has decided.
  expect((await page.goto(`${baseURL}/no-such-page`))?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "There is no such page" })).toBeVisible();
  await page.getByRole("link", { name: "Back to the Overview" }).click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();

  for (const missing of [
    "/agents/east/datadog/missing",
    "/agents/nowhere/datadog/agent",
    "/agents/datadog/missing",
  ]) {
    expect((await page.goto(`${baseURL}${missing}`))?.status(), missing).toBe(404);
    await expect(page.getByRole("heading", { name: "No such DatadogAgent" })).toBeVisible();
    await expect(page.getByRole("link", { name: "Back to the Overview" })).toBeVisible();
  }
  await page.getByRole("link", { name: "All agents" }).click();
  await expect(page.getByTestId("agent-row")).toHaveCount(2);
});

test("a page that fails shows the error page, without a stack trace; Try again loads it once it can", async ({
  page,
}) => {
  // A row the dashboard cannot read (its spec is not JSON): the agent page fails to render.
  const where = { clusterId_key: { clusterId: "uid-east", key: "datadog/broken" } };
  await db.agent.update({ where, data: { spec: "{" } });
  await page.goto(`${baseURL}/agents/east/datadog/broken`);
  const problem = page.getByRole("alert").filter({ hasText: "This agent could not be loaded" });
  await expect(problem).toBeVisible();
  await expect(problem).toContainText(/Reference in the log: \S+/);
  await expect(page.getByText(/at .*\.js:\d+|SyntaxError|JSON/)).toHaveCount(0);
  // The navigation stays: the rest of the dashboard is a click away.
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();

  await db.agent.update({ where, data: { spec: JSON.stringify({ global: { site: "datadoghq.com" } }) } });
  await problem.getByRole("button", { name: "Try again" }).click();
  await expect(page.getByRole("heading", { name: "broken", exact: true })).toBeVisible();
  await expect(problem).toHaveCount(0);
});
