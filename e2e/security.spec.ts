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
