// The overview tells a live controller from a stopped or crashed one, and the dashboard
// explains an unmigrated database instead of failing.
import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { STATE_DIR } from "../testing/paths";
import { createTestDatabaseFile } from "../testing/database";
import { freePort, startController, startWeb, waitForHttp, type RunningProcess } from "../testing/processes";
import { e2eState } from "./state";

let running: RunningProcess[] = [];
test.afterEach(async () => {
  await Promise.all(running.map((p) => p.stop()));
  running = [];
});

async function startPair(name: string) {
  const databaseFile = await createTestDatabaseFile(name);
  const healthPort = await freePort();
  const webPort = await freePort();
  const env = { KUBECONFIG: e2eState().kubeconfig, DATABASE_URL: `file:${databaseFile}` };
  const controller = startController(`${name}-controller`, {
    ...env,
    FLEETDECK_HEALTH_ADDR: `127.0.0.1:${healthPort}`,
    FLEETDECK_CONTROLLER_ID: `${name}-controller`,
  });
  const web = startWeb(`${name}-web`, { ...env, FLEETDECK_WEB_PORT: String(webPort) });
  running.push(controller, web);
  await waitForHttp(`http://127.0.0.1:${healthPort}/readyz`, { proc: controller });
  await waitForHttp(`http://127.0.0.1:${webPort}/api/controllers`, { proc: web });
  return { controller, baseURL: `http://127.0.0.1:${webPort}` };
}

test("a controller that shuts down is shown as not running at once", async ({ page }) => {
  const { controller, baseURL } = await startPair("graceful");
  await page.goto(baseURL);
  await expect(page.getByTestId("kubernetes-version")).toBeVisible();
  await controller.stop();
  await expect(page.getByText("Controller not running")).toBeVisible();
  await expect(page.getByText(/Last heartbeat from/)).toContainText("graceful-controller");
});

test("a controller that crashes is shown as not running once its heartbeat is stale", async ({ page }) => {
  test.setTimeout(90_000);
  const { controller, baseURL } = await startPair("crash");
  await page.goto(baseURL);
  await expect(page.getByTestId("kubernetes-version")).toBeVisible();
  await controller.kill();
  // No goodbye from a SIGKILLed process: the page notices the missing heartbeats by itself.
  await expect(page.getByText("Controller not running")).toBeVisible({ timeout: 30_000 });
});

test("a dashboard whose PostgreSQL is unreachable says so, without a stack trace", async ({ page }) => {
  const port = await freePort();
  const nowhere = await freePort(); // nothing listens there
  const web = startWeb("unreachable-web", {
    // A password in the URL and one in its query (libpq reads both): neither may be shown.
    DATABASE_URL: `postgresql://fleetdeck:not-a-real-password@127.0.0.1:${nowhere}/fleetdeck?sslmode=disable&password=not-a-real-query-password`,
    FLEETDECK_WEB_PORT: String(port),
  });
  running.push(web);
  await waitForHttp(`http://127.0.0.1:${port}/login`, { proc: web });
  for (const pathname of ["/agents", "/login"]) {
    await page.goto(`http://127.0.0.1:${port}${pathname}`);
    const problem = page.getByRole("alert").filter({ hasText: "The database is unreachable" });
    await expect(problem).toBeVisible();
    await expect(problem).toContainText(`127.0.0.1:${nowhere}`);
    await expect(problem).not.toContainText("not-a-real-password");
    await expect(problem).not.toContainText("not-a-real-query-password");
    await expect(page.getByText(/at .*\.js:\d+/)).toHaveCount(0);
  }
});

test("a dashboard on an unmigrated database says so and how to fix it", async ({ page }) => {
  const file = path.join(STATE_DIR, "test-db", `unmigrated-${Date.now()}.db`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const port = await freePort();
  const web = startWeb("unmigrated-web", { DATABASE_URL: `file:${file}`, FLEETDECK_WEB_PORT: String(port) });
  running.push(web);
  await waitForHttp(`http://127.0.0.1:${port}/`, { proc: web });
  await page.goto(`http://127.0.0.1:${port}/`);
  const problem = page.getByRole("alert").filter({ hasText: "The database is not migrated" });
  await expect(problem).toBeVisible();
  await expect(problem).toContainText("npm run db:migrate");
});
