// The command round trip in the browser: a click writes a Command, the controller applies it,
// and the outcome arrives over the live stream, well before the status poll would bring it.
import { expect, test } from "./fixtures";
import { e2eDatabase } from "./state";

test("Ping controller shows requested, then applied, live", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByTestId("live-state")).toHaveAttribute("data-state", "live");
  await page.getByRole("button", { name: "Ping controller" }).click();
  const status = page.getByTestId("command-status");
  await expect(status).toBeVisible();
  await expect(status).toHaveAttribute("data-status", "applied");
  await expect(status).toContainText("pong from e2e-controller");
  const seenAt = Date.now();

  // The controller's write time, from the database, against when the browser showed it.
  const db = await e2eDatabase();
  const row = await db.command.findFirstOrThrow({ where: { kind: "ping" }, orderBy: { id: "desc" } });
  await db.$disconnect();
  const lagMs = seenAt - row.appliedAt!.getTime();
  console.log(`[e2e] controller write → visible in the browser: ${lagMs} ms`);
  // Typically a few hundred ms; the bound leaves a busy machine room while staying under the
  // 5 s poll the status falls back to without the stream (components/commands/use-command-status.ts).
  expect(lagMs).toBeLessThan(3000);
});

test("the audit page lists the ping with its actor and outcome, filters, and exports", async ({ page }) => {
  await page.goto("/audit");
  await expect(page.getByRole("heading", { name: "Audit", level: 1 })).toBeVisible();
  const rows = page.getByTestId("audit-row");
  await expect(rows.filter({ hasText: "command.applied" }).first()).toContainText("local");
  await expect(rows.filter({ hasText: "command.requested" }).first()).toBeVisible();

  await page.getByLabel("Action").fill("command.applied");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/action=command.applied/);
  await expect(rows.first()).toContainText("command.applied");
  expect(await rows.filter({ hasText: "command.requested" }).count()).toBe(0);

  const csv = await page.request.get("/api/audit/export?format=csv&action=command.applied");
  expect(csv.headers()["content-disposition"]).toMatch(/attachment; filename="fleetdeck-audit-.*\.csv"/);
  const lines = (await csv.text()).trim().split("\r\n");
  expect(lines[0]).toBe("id,at,actor,action,targetKind,target,commandId,source,details");
  expect(lines.length).toBeGreaterThan(1);
  expect(lines.slice(1).every((l) => l.includes(",command.applied,"))).toBe(true);
  const json = (await (
    await page.request.get("/api/audit/export?format=json&action=command.requested")
  ).json()) as { action: string }[];
  expect(json.length).toBeGreaterThan(0);
  expect(json.every((r) => r.action === "command.requested")).toBe(true);
});

test("the live stream pauses while the tab is hidden and catches up when it is shown", async ({ page }) => {
  await page.goto("/");
  const live = page.getByTestId("live-state");
  await expect(live).toHaveAttribute("data-state", "live");
  const setHidden = (hidden: boolean) =>
    page.evaluate((h) => {
      Object.defineProperty(document, "hidden", { configurable: true, get: () => h });
      document.dispatchEvent(new Event("visibilitychange"));
    }, hidden);
  await setHidden(true);
  await expect(live).toHaveAttribute("data-state", "paused");
  // While hidden, no stream is open: the controller's heartbeats trigger no refetch.
  const refetches: string[] = [];
  page.on("request", (r) => {
    if (r.url().includes("/api/fleet") || r.url().includes("/api/stream")) refetches.push(r.url());
  });
  await page.waitForTimeout(4000); // longer than a heartbeat interval
  expect(refetches).toEqual([]);
  await setHidden(false);
  await expect(live).toHaveAttribute("data-state", "live");
  await expect.poll(() => refetches.some((u) => u.includes("/api/stream?since="))).toBe(true);
  await expect.poll(() => refetches.some((u) => u.includes("/api/fleet"))).toBe(true);
});
