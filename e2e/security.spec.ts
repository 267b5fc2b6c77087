// Requests a browser on another site could forge, against the shared stack (loopback, no
// login): a cross-origin server action, an oversized one, and a DNS-rebinding Host. Each is
// refused and writes nothing; the same request from the dashboard's own origin works, so the
// refusals are the checks at work, not a broken replay.
import type { Page } from "@playwright/test";
import Database from "better-sqlite3";
import { expect, test } from "./fixtures";
import { e2eState } from "./state";

function commandCount(): number {
  const db = new Database(e2eState().databaseFile, { readonly: true });
  const { n } = db.prepare("SELECT COUNT(*) AS n FROM Command").get() as { n: number };
  db.close();
  return n;
}

async function pingActionId(page: Page): Promise<string> {
  await page.goto("/");
  const actionRequest = page.waitForRequest((r) => r.method() === "POST" && !!r.headers()["next-action"]);
  await page.getByRole("button", { name: "Ping controller" }).click();
  const id = (await actionRequest).headers()["next-action"]!;
  await expect(page.getByTestId("command-status")).toHaveAttribute("data-status", "applied");
  return id;
}

test("a server action posted from another origin is refused and writes nothing", async ({
  page,
  baseURL,
}) => {
  const actionId = await pingActionId(page);
  const post = (origin: string, data = "[]") =>
    page.request.post(`${baseURL}/`, {
      headers: { "next-action": actionId, "content-type": "text/plain;charset=UTF-8", origin },
      data,
      maxRedirects: 0,
    });

  const before = commandCount();
  const sameOrigin = await post(baseURL!);
  expect(sameOrigin.status()).toBe(200);
  expect(commandCount()).toBe(before + 1);

  for (const origin of ["https://evil.example", "http://127.0.0.1.evil.example", "null"]) {
    const forged = await post(origin);
    expect(forged.status(), origin).toBeGreaterThanOrEqual(400);
    expect(commandCount(), origin).toBe(before + 1);
  }
});

test("a server action body over the 256 KB limit is refused and writes nothing", async ({
  page,
  baseURL,
}) => {
  const actionId = await pingActionId(page);
  const before = commandCount();
  const big = await page.request.post(`${baseURL}/`, {
    headers: { "next-action": actionId, "content-type": "text/plain;charset=UTF-8", origin: baseURL! },
    data: JSON.stringify(["x".repeat(300 * 1024)]),
    maxRedirects: 0,
  });
  expect(big.status()).toBeGreaterThanOrEqual(400);
  expect(commandCount()).toBe(before);
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
