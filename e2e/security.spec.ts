// Requests a browser on another site could forge, against the shared stack (loopback, no
// login): a cross-origin server action, an oversized one, and a DNS-rebinding Host. Each is
// refused and writes nothing; the same request from the dashboard's own origin works, so the
// refusals are the checks at work, not a broken replay.
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { e2eDatabase } from "./state";

async function commandCount(): Promise<number> {
  const db = await e2eDatabase();
  const n = await db.command.count();
  await db.$disconnect();
  return n;
}

/** The ping action's id and the body the page sent (its arguments: the cluster). */
async function pingAction(page: Page): Promise<{ actionId: string; body: string }> {
  await page.goto("/");
  const actionRequest = page.waitForRequest((r) => r.method() === "POST" && !!r.headers()["next-action"]);
  await page.getByRole("button", { name: "Ping controller" }).click();
  const request = await actionRequest;
  await expect(page.getByTestId("command-status")).toHaveAttribute("data-status", "applied");
  return { actionId: request.headers()["next-action"]!, body: request.postData() ?? "[]" };
}

test("a server action posted from another origin is refused and writes nothing", async ({
  page,
  baseURL,
}) => {
  const { actionId, body } = await pingAction(page);
  const post = (origin: string, data = body) =>
    page.request.post(`${baseURL}/`, {
      headers: { "next-action": actionId, "content-type": "text/plain;charset=UTF-8", origin },
      data,
      maxRedirects: 0,
    });

  const before = await commandCount();
  const sameOrigin = await post(baseURL!);
  expect(sameOrigin.status()).toBe(200);
  expect(await commandCount()).toBe(before + 1);

  for (const origin of ["https://evil.example", "http://127.0.0.1.evil.example", "null"]) {
    const forged = await post(origin);
    expect(forged.status(), origin).toBeGreaterThanOrEqual(400);
    expect(await commandCount(), origin).toBe(before + 1);
  }
});

test("a server action body over the 256 KB limit is refused and writes nothing", async ({
  page,
  baseURL,
}) => {
  const { actionId } = await pingAction(page);
  const before = await commandCount();
  const big = await page.request.post(`${baseURL}/`, {
    headers: { "next-action": actionId, "content-type": "text/plain;charset=UTF-8", origin: baseURL! },
    data: JSON.stringify(["x".repeat(300 * 1024)]),
    maxRedirects: 0,
  });
  expect(big.status()).toBeGreaterThanOrEqual(400);
  expect(await commandCount()).toBe(before);
});

test("a request whose Host is not the dashboard's (DNS rebinding) is refused", async ({
  request,
  baseURL,
}) => {
  const port = new URL(baseURL!).port;
  for (const path of ["/", "/api/controllers"]) {
    const rebound = await request.get(`${baseURL}${path}`, { headers: { host: `evil.example:${port}` } });
    expect(rebound.status(), path).toBe(421);
  }
  expect((await request.get(`${baseURL}/api/controllers`)).status()).toBe(200);
});

test("the dashboard cannot be framed by another page, and says so in its headers", async ({
  page,
  baseURL,
}) => {
  const response = await page.request.get(`${baseURL}/`);
  expect(response.headers()["x-frame-options"]).toBe("DENY");
  expect(response.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(response.headers()["x-content-type-options"]).toBe("nosniff");
  expect(response.headers()["referrer-policy"]).toBe("no-referrer");

  // Another site's page tries to frame it (the clickjacking setup for "Roll back").
  await page.setContent(`<iframe id="victim" src="${baseURL}/" width="800" height="600"></iframe>`);
  const frame = await (await page.locator("#victim").elementHandle())!.contentFrame();
  await expect
    .poll(async () => frame!.url(), { message: "the frame ends on Chromium's error page" })
    .toMatch(/^chrome-error:/);
  await expect(frame!.getByRole("button", { name: "Ping controller" })).toHaveCount(0);
});

test("the pages run under the Content-Security-Policy without a single violation", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to (execute|load|apply|connect)/i.test(message.text()))
      violations.push(message.text());
  });
  for (const path of [
    "/",
    "/agents",
    "/experiments",
    "/fleet-experiments",
    "/metadata",
    "/autoscaling",
    "/audit",
  ]) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 }).first()).toBeVisible();
    await expect(page.getByTestId("live-state")).toHaveAttribute("data-state", "live");
  }
  // Interactive: a client-side navigation and a server action.
  await page.getByRole("link", { name: "Overview" }).click();
  await page.getByRole("button", { name: "Ping controller" }).click();
  await expect(page.getByTestId("command-status")).toHaveAttribute("data-status", "applied");
  expect(violations).toEqual([]);
});
