// With an admin token configured, nothing works without signing in: pages redirect to the
// login form, route handlers answer 401, and a server action from a signed-out browser writes
// no command. Sessions live on the server: signing out ends the cookie and its live stream;
// another admin token ends every session. Sign-in failures slow down their own address only,
// and the page after signing in is always one of the dashboard's.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import Database from "better-sqlite3";
import { expect, test, type Page } from "@playwright/test";
import { REPO_ROOT } from "../testing/paths";
import { createTestDatabaseFile } from "../testing/database";
import { TEST_SECRETS } from "../test/secrets";
import {
  freePort,
  startController,
  startProcess,
  startWeb,
  waitForHttp,
  type RunningProcess,
} from "../testing/processes";
import { e2eState } from "./state";

const TOKEN = TEST_SECRETS.adminToken;
const API_TOKEN = TEST_SECRETS.apiToken;
let web: RunningProcess;
let controller: RunningProcess;
let baseURL: string;
let databaseFile: string;

test.beforeAll(async () => {
  databaseFile = await createTestDatabaseFile("auth");
  const port = await freePort();
  web = startWeb("auth-web", {
    DATABASE_URL: `file:${databaseFile}`,
    FLEETDECK_WEB_PORT: String(port),
    FLEETDECK_ADMIN_TOKEN: TOKEN,
    FLEETDECK_API_TOKEN: API_TOKEN,
  });
  baseURL = `http://127.0.0.1:${port}`;
  const healthPort = await freePort();
  controller = startController("auth-controller", {
    KUBECONFIG: e2eState().kubeconfig,
    DATABASE_URL: `file:${databaseFile}`,
    FLEETDECK_CONTROLLER_ID: "auth-controller",
    FLEETDECK_NAMESPACE: "auth-e2e",
    FLEETDECK_LEADER_ELECT: "false",
    FLEETDECK_HEALTH_ADDR: `127.0.0.1:${healthPort}`,
  });
  await waitForHttp(`${baseURL}/login`, { proc: web });
  await waitForHttp(`http://127.0.0.1:${healthPort}/readyz`, { proc: controller });
});
test.afterAll(async () => {
  await Promise.all([web.stop(), controller.stop()]);
});

function commandCount(): number {
  const db = new Database(databaseFile, { readonly: true });
  const { n } = db.prepare("SELECT COUNT(*) AS n FROM Command").get() as { n: number };
  db.close();
  return n;
}

test("pages redirect to the login form and APIs answer 401 without a session", async ({ page, request }) => {
  await page.goto(`${baseURL}/audit`);
  await expect(page).toHaveURL(/\/login\?next=%2Faudit/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  for (const path of [
    "/api/controllers",
    "/api/audit",
    "/api/stream",
    "/api/commands/1",
    "/api/audit/export",
  ]) {
    expect((await request.get(`${baseURL}${path}`)).status(), path).toBe(401);
  }
  expect((await request.post(`${baseURL}/api/signals?target=datadog/datadog`, { data: "{}" })).status()).toBe(
    401,
  );
});

test("a wrong token is refused; the right one signs in and the session cookie is HttpOnly and SameSite=Strict", async ({
  page,
  context,
}) => {
  await page.goto(`${baseURL}/login?next=/audit`);
  await page.getByLabel("Admin token").fill("not-the-token");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("That token is not valid.")).toBeVisible();
  await page.getByLabel("Admin token").fill(TOKEN);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(`${baseURL}/audit`);
  const cookie = (await context.cookies()).find((c) => c.name === "fleetdeck_session")!;
  expect(cookie.httpOnly).toBe(true);
  expect(cookie.sameSite).toBe("Strict");
  expect(cookie.value).not.toContain(TOKEN);
  await expect(page.getByText("Signed in as")).toContainText("admin");
});

test("a server action replayed without a session is refused and writes nothing", async ({
  page,
  context,
}) => {
  await page.goto(`${baseURL}/login`);
  await page.getByLabel("Admin token").fill(TOKEN);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("kubernetes-version")).toBeVisible();

  // Signed in, the ping action works; note the action's id from the request it makes.
  const actionRequest = page.waitForRequest((r) => r.method() === "POST" && !!r.headers()["next-action"]);
  await page.getByRole("button", { name: "Ping controller" }).click();
  const actionId = (await actionRequest).headers()["next-action"]!;
  const body = (await actionRequest).postData() ?? "[]";
  await expect(page.getByTestId("command-status")).toHaveAttribute("data-status", "applied");
  const before = commandCount();

  // Signed out, the same action (same id, same body) must not write a command.
  await context.clearCookies();
  const replay = await page.request.post(`${baseURL}/`, {
    headers: { "next-action": actionId, "content-type": "text/plain;charset=UTF-8", origin: baseURL },
    data: body,
    maxRedirects: 0,
  });
  expect(replay.status()).toBe(307);
  expect(replay.headers().location).toContain("/login");
  expect(commandCount()).toBe(before);

  // Clicking in the signed-out page does not write one either, and says why.
  await page.getByRole("button", { name: "Ping controller" }).click();
  await expect(page.getByRole("status").filter({ hasText: "session may have expired" })).toBeVisible();
  expect(commandCount()).toBe(before);
});

test("the signal endpoint takes the Remote Config payload with the API token, and says what is wrong otherwise", async ({
  request,
}) => {
  const url = `${baseURL}/api/signals?target=datadog/datadog`;
  const auth = { authorization: `Bearer ${API_TOKEN}` };
  expect((await request.post(url, { headers: { authorization: "Bearer wrong" }, data: {} })).status()).toBe(
    401,
  );

  const notJson = await request.post(url, {
    headers: { ...auth, "content-type": "application/json" },
    data: Buffer.from("{nope"),
  });
  expect(notJson.status()).toBe(400);
  expect((await notJson.json()).error).toMatch(/not JSON/);

  const unknown = await request.post(url, {
    headers: auth,
    data: { action: "pauseExperiment", experiment_id: "e1" },
  });
  expect(unknown.status()).toBe(422);
  expect(await unknown.json()).toMatchObject({ code: "unknown-action" });

  const noTarget = await request.post(`${baseURL}/api/signals`, {
    headers: auth,
    data: { action: "stopExperiment", experiment_id: "e1" },
  });
  expect(noTarget.status()).toBe(400);
  expect((await noTarget.json()).error).toMatch(/namespace\/name/);

  const big = await request.post(url, {
    headers: auth,
    data: { action: "startExperiment", experiment_id: "e1", config: { global: { x: "y".repeat(70_000) } } },
  });
  expect(big.status()).toBe(413);

  // The cluster may be left out while the fleet has one; a cluster it does not have is named.
  const unknownCluster = await request.post(`${url}&cluster=nowhere`, {
    headers: auth,
    data: { action: "stopExperiment", experiment_id: "e1" },
  });
  expect(unknownCluster.status()).toBe(404);
  expect((await unknownCluster.json()).error).toContain('"nowhere"');

  const before = commandCount();
  const accepted = await request.post(url, {
    headers: auth,
    data: { action: "stopExperiment", experiment_id: "exp-42" },
  });
  expect(accepted.status()).toBe(202);
  const { commandId, statusUrl } = (await accepted.json()) as { commandId: number; statusUrl: string };
  expect(commandCount()).toBe(before + 1);
  const status = await request.get(`${baseURL}${statusUrl}`, { headers: auth });
  expect(status.status()).toBe(200);
  expect(await status.json()).toMatchObject({
    id: commandId,
    kind: "stop-experiment",
    target: "datadog/datadog",
    actor: "fleet-automation",
  });
});

test("the dashboard refuses to listen beyond loopback without authentication", async () => {
  const port = await freePort();
  const exposed = startWeb("exposed-web", {
    DATABASE_URL: `file:${databaseFile}`,
    FLEETDECK_WEB_HOST: "0.0.0.0",
    FLEETDECK_WEB_PORT: String(port),
  });
  expect(await exposed.exited).toBe(2);
  expect(exposed.readLog()).toContain("refusing to serve the dashboard on 0.0.0.0 without authentication");
});

test("without a login, a dashboard not on a loopback socket serves nothing, whatever the variables say", async ({
  request,
}) => {
  // `next start` by hand on every interface; FLEETDECK_WEB_HOST still says 127.0.0.1.
  const port = await freePort();
  const exposed = startProcess(
    "next-start-exposed",
    path.join(REPO_ROOT, "node_modules/.bin/next"),
    ["start", "--hostname", "0.0.0.0", "--port", String(port)],
    {
      DATABASE_URL: `file:${databaseFile}`,
      FLEETDECK_WEB_HOST: "127.0.0.1",
      FLEETDECK_WEB_PORT: String(port),
    },
  );
  try {
    await waitForHttp(`http://127.0.0.1:${port}/api/controllers`, { proc: exposed, status: 503 });
    for (const route of ["/", "/api/controllers", "/api/stream", "/audit"]) {
      const response = await request.get(`http://127.0.0.1:${port}${route}`, { maxRedirects: 0 });
      expect(response.status(), route).toBe(503);
      expect(await response.text(), route).toContain("no login is configured");
    }
  } finally {
    await exposed.stop();
  }
});

async function signIn(page: Page, next = "/") {
  await page.goto(`${baseURL}/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel("Admin token").fill(TOKEN);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("signing out ends the session on the server: its cookie is refused and its live stream ends", async ({
  browser,
}) => {
  const context = await browser.newContext();
  const live = await context.newPage();
  await signIn(live);
  await expect(live.getByTestId("live-state")).toHaveAttribute("data-state", "live");
  const cookie = (await context.cookies()).find((c) => c.name === "fleetdeck_session")!.value;
  const withCookie = { cookie: `fleetdeck_session=${cookie}` };
  const before = await live.request.fetch(`${baseURL}/api/controllers`, { headers: withCookie });
  expect(before.status()).toBe(200);

  // Signed out in another tab: the first tab's stream ends at once.
  const other = await context.newPage();
  await other.goto(`${baseURL}/`);
  await other.getByRole("button", { name: "Sign out" }).click();
  await expect(other).toHaveURL(/\/login$/);
  await expect(live.getByTestId("live-state")).toHaveAttribute("data-state", "ended");

  // The old cookie, replayed, opens nothing.
  const api = await fetch(`${baseURL}/api/controllers`, { headers: withCookie });
  expect(api.status).toBe(401);
  const stream = await fetch(`${baseURL}/api/stream`, { headers: withCookie });
  expect(stream.status).toBe(401);
  const page = await fetch(`${baseURL}/audit`, { headers: withCookie, redirect: "manual" });
  expect(page.status).toBe(307);
  expect(page.headers.get("location")).toContain("/login");
  await context.close();
});

test("another admin token ends every session opened with the previous one", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page);
  await expect(page.getByTestId("kubernetes-version")).toBeVisible();
  const cookie = (await context.cookies()).find((c) => c.name === "fleetdeck_session")!.value;
  await context.close();

  // The same database, served with a rotated token.
  const port = await freePort();
  const rotated = startWeb("auth-web-rotated", {
    DATABASE_URL: `file:${databaseFile}`,
    FLEETDECK_WEB_PORT: String(port),
    FLEETDECK_ADMIN_TOKEN: `${TOKEN}-rotated`,
  });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/login`, { proc: rotated });
    const response = await fetch(`http://127.0.0.1:${port}/api/controllers`, {
      headers: { cookie: `fleetdeck_session=${cookie}` },
    });
    expect(response.status).toBe(401);
  } finally {
    await rotated.stop();
  }
});

test("after signing in, the browser goes only to a page of the dashboard", async ({ browser }) => {
  for (const next of [
    "/audit",
    "/%09/evil.example",
    "//evil.example",
    "/\\evil.example",
    "https:evil.example",
  ]) {
    const context = await browser.newContext();
    const page = await context.newPage();
    // The raw value in the query, as a crafted link would carry it.
    await page.goto(`${baseURL}/login?next=${next}`);
    await page.getByLabel("Admin token").fill(TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page, next).toHaveURL(next === "/audit" ? `${baseURL}/audit` : `${baseURL}/`);
    await context.close();
  }
});

/** Posts a captured request again from another loopback address (Linux routes all of 127/8 to lo). */
function replayFrom(
  localAddress: string,
  captured: { url: string; headers: Record<string, string>; body: Buffer },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const url = new URL(captured.url);
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: "POST",
        localAddress,
        headers: { ...captured.headers, "content-length": String(captured.body.length) },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve(text));
      },
    );
    req.on("error", reject);
    req.end(captured.body);
  });
}

test("wrong tokens slow down their own address only: anyone else still signs in at once", async ({
  browser,
}) => {
  // The sign-in request a browser makes with a wrong token, captured to be replayed.
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${baseURL}/login`);
  await page.getByLabel("Admin token").fill("wrong-token-from-the-guesser");
  const sent = page.waitForRequest((r) => r.method() === "POST" && !!r.headers()["next-action"]);
  await page.getByRole("button", { name: "Sign in" }).click();
  const request = await sent;
  await expect(page.getByText("That token is not valid.")).toBeVisible();
  const headers = Object.fromEntries(
    // Not HTTP/2 pseudo-headers, and an answer in plain text.
    Object.entries(await request.allHeaders()).filter(
      ([name]) => !name.startsWith(":") && name !== "accept-encoding",
    ),
  );
  const captured = { url: request.url(), headers, body: request.postDataBuffer()! };

  // Twenty wrong tokens from 127.0.0.2: it is made to wait.
  const answers: string[] = [];
  for (let i = 0; i < 20; i++) answers.push(await replayFrom("127.0.0.2", captured));
  expect(answers[0]).toContain("That token is not valid.");
  expect(answers[19]).toMatch(/Too many failed sign-ins from your address \(127\.0\.0\.2\)/);

  // The browser's address (127.0.0.1) signs in with the right token at once.
  await page.getByLabel("Admin token").fill(TOKEN);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("kubernetes-version")).toBeVisible();
  await context.close();
});

// Every route handler of the build (each app/api/.../route.ts) and the methods it exports.
function routeHandlers(): { path: string; method: string }[] {
  const found: { path: string; method: string }[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === "route.ts") {
        const route = "/" + path.relative(path.join(REPO_ROOT, "app"), dir).replace(/\[[^\]]+\]/g, "1");
        for (const [, method] of fs
          .readFileSync(full, "utf8")
          .matchAll(/export (?:async )?function (GET|POST|PUT|PATCH|DELETE)\b/g))
          found.push({ path: route, method: method! });
      }
    }
  };
  walk(path.join(REPO_ROOT, "app/api"));
  return found;
}

/** Every server action id of the production build (Next's server reference manifest). */
function serverActionIds(): string[] {
  const manifest = JSON.parse(
    fs.readFileSync(path.join(REPO_ROOT, ".next/server/server-reference-manifest.json"), "utf8"),
  ) as { node: Record<string, unknown> };
  return Object.keys(manifest.node);
}

test("every route handler answers 401 without a session or token", async ({ request }) => {
  const handlers = routeHandlers();
  expect(handlers.length).toBeGreaterThanOrEqual(8);
  for (const { path: route, method } of handlers) {
    const response = await request.fetch(`${baseURL}${route}`, {
      method,
      data: method === "GET" ? undefined : "{}",
    });
    expect(response.status(), `${method} ${route}`).toBe(401);
  }
});

test("every server action is refused without a session and writes nothing", async ({ request }) => {
  const ids = serverActionIds();
  expect(ids.length).toBeGreaterThanOrEqual(2);
  const before = commandCount();
  for (const id of ids) {
    const headers = { "next-action": id, "content-type": "text/plain;charset=UTF-8", origin: baseURL };
    // Through the request gate: sent to the login page.
    const gated = await request.post(`${baseURL}/`, { headers, data: "[]", maxRedirects: 0 });
    expect(gated.status(), id).toBe(307);
    // /login is open to everyone (the sign-in form posts there): the action itself refuses.
    await request.post(`${baseURL}/login`, { headers, data: "[]", maxRedirects: 0 });
  }
  expect(commandCount()).toBe(before);
});
