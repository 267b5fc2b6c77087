// Runs after every other spec (its own Playwright project, see playwright.config.ts) and after
// the integration tests of the same `npm test`: no secret the runs handed to fleetdeck appears
// in a log of the processes they started, in a SQLite file they wrote, in a row of the shared
// stack's PostgreSQL database, or in a page or API answer of the dashboard. Any Kubernetes
// token (JWT) or bearer header counts as a leak too.
import path from "node:path";
import pg from "pg";
import { STATE_DIR } from "../testing/paths";
import { LOG_DIR } from "../testing/processes";
import { findSecrets, scanFiles, type Leak } from "../test/secrets";
import { expect, test } from "./fixtures";
import { e2eState } from "./state";

const PAGES = ["/", "/agents", "/experiments", "/autoscaling", "/metadata", "/audit"];
const API = [
  "/api/controllers",
  "/api/audit",
  "/api/audit/export?format=json",
  "/api/metadata/forwarders",
  "/api/metadata/sends",
  "/api/metadata/charts",
  "/api/spot",
];

test("no secret in any log line, SQLite file or page", async ({ page, request }) => {
  const leaks: Leak[] = [];
  for (const pathname of PAGES) {
    const response = await page.goto(pathname);
    if (response?.status() === 404) continue; // a page of a feature not in this build
    await page.waitForLoadState("networkidle");
    leaks.push(...findSecrets(await page.content(), `page ${pathname}`));
  }
  for (const pathname of API) {
    const response = await request.get(pathname);
    if (response.status() === 404) continue;
    leaks.push(...findSecrets(await response.text(), `GET ${pathname}`));
  }
  // Every payload the dashboard can show, one by one.
  const sends = (await (await request.get("/api/metadata/sends")).json()) as { rows?: { id: number }[] };
  for (const { id } of (sends.rows ?? []).slice(0, 200)) {
    leaks.push(...findSecrets(await (await request.get(`/api/metadata/sends/${id}`)).text(), `send ${id}`));
  }

  const { scanned, leaks: fileLeaks } = scanFiles([LOG_DIR, path.join(STATE_DIR, "test-db")]);
  leaks.push(...fileLeaks);
  if (e2eState().store === "postgresql") leaks.push(...(await scanPostgres(e2eState().databaseUrl)));
  console.log(`[secrets] scanned ${PAGES.length + API.length} pages and answers, ${scanned.length} files`);
  expect(scanned.some((f) => f.endsWith(".log"))).toBe(true);
  expect(scanned.some((f) => f.endsWith(".db"))).toBe(true);
  expect(leaks).toEqual([]);
});

/** Every row of every table of a PostgreSQL database, as text. */
async function scanPostgres(url: string): Promise<Leak[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const leaks: Leak[] = [];
    const tables = await client.query<{ name: string }>(
      "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'",
    );
    expect(tables.rows.map((t) => t.name)).toContain("Command");
    for (const { name } of tables.rows) {
      const rows = await client.query<{ row: string }>(`SELECT t::text AS row FROM "${name}" t`);
      leaks.push(...findSecrets(rows.rows.map((r) => r.row).join("\n"), `PostgreSQL table ${name}`));
    }
    return leaks;
  } finally {
    await client.end();
  }
}
