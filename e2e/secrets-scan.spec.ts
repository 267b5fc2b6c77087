// Runs after every other spec (its own Playwright project, see playwright.config.ts) and after
// the integration tests of the same `npm test`. First it plants every shape of the secrets corpus
// (test/secret-corpus.ts) the ways a user would: in a real Helm release, in a DatadogAgent spec,
// in an experiment config typed into the start form, and in Remote Config signals. Then it finds
// none of them, nor any test API key or token (or their base64), in a log of the processes the
// runs started, in a SQLite file they wrote (with its WAL), in a row of the shared stack's
// PostgreSQL database, in a page or API answer of the dashboard, or in what the fake intake
// received. Any Kubernetes token (JWT) or bearer header counts as a leak too.
import { randomBytes } from "node:crypto";
import path from "node:path";
import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import pg from "pg";
import YAML from "yaml";
import { clusterIdOf } from "../testing/cluster-id";
import { crds } from "../testing/custom-resources";
import type { IntakeRecord } from "../testing/fakeintake/server";
import { helmReleaseSecret } from "../testing/helm-release";
import { STATE_DIR } from "../testing/paths";
import { freePort, LOG_DIR, startWeb, waitForHttp } from "../testing/processes";
import { crdSends, createSecret, helmSends } from "../test/metadata";
import { corpusFragment, SECRET_CORPUS } from "../test/secret-corpus";
import { findSecrets, scanFiles, TEST_SECRETS, type Leak } from "../test/secrets";
import { expect, test } from "./fixtures";
import { e2eDatabase, e2eKubeConfig, e2eState } from "./state";

const PAGES = ["/", "/agents", "/experiments", "/fleet-experiments", "/autoscaling", "/metadata", "/audit"];
const API = [
  "/api/controllers",
  "/api/agents",
  "/api/experiments",
  "/api/audit",
  "/api/audit/export?format=json",
  "/api/metadata/forwarders",
  "/api/metadata/sends",
  "/api/metadata/charts",
  "/api/spot",
];

const namespace = `e2e-secrets-${randomBytes(3).toString("hex")}`;
const agent = "corpus";
const release = "datadog-corpus";
const kc = e2eKubeConfig();

test.beforeAll(async () => {
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
});
test.afterAll(async () => {
  await kc
    .makeApiClient(CoreV1Api)
    .deleteNamespace({ name: namespace })
    .catch(() => undefined);
});

async function commandCount(): Promise<number> {
  const db = await e2eDatabase();
  try {
    return await db.command.count();
  } finally {
    await db.$disconnect();
  }
}

/**
 * The corpus shapes whose secret `text` quotes. One expect for all of them: 146 expects per
 * answer kept the event loop busy past the server's keep-alive timeout between two signals.
 */
const quoted = (text: string) => SECRET_CORPUS.filter((s) => text.includes(s.secret)).map((s) => s.name);

async function intakeRecords(): Promise<IntakeRecord[]> {
  return (await (await fetch(`${e2eState().fakeIntakeURL}/fakeintake/records`)).json()) as IntakeRecord[];
}

test("every corpus shape planted through Helm, a DatadogAgent, the start form and a signal is found nowhere", async ({
  page,
  request,
}) => {
  test.setTimeout(240_000);
  const corpus = corpusFragment();

  // 1. A Helm release of the datadog chart holding every shape in its values.
  await createSecret(kc, helmReleaseSecret({ namespace, release, revision: 1, values: { corpus } }));
  // 2. A DatadogAgent holding every shape in its spec: a check's config file, where the
  // operator's schema keeps free text (an unknown field would be pruned, planting nothing). Not
  // folded (lineWidth 0): each secret stays on one line of the file, as the corpus writes it.
  const confd = YAML.stringify(corpus, { lineWidth: 0 });
  await crds(kc).create("DatadogAgent", namespace, agent, {
    global: { site: "datadoghq.com" },
    override: { nodeAgent: { extraConfd: { configDataMap: { "corpus.yaml": confd } } } },
  });
  // Planted indeed: the object in the cluster holds every secret.
  const planted = JSON.stringify(
    await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
      group: "datadoghq.com",
      version: "v2alpha1",
      plural: "datadogagents",
      namespace,
      name: agent,
    }),
  );
  for (const shape of SECRET_CORPUS) expect(planted, shape.name).toContain(shape.secret);
  await expect
    .poll(
      async () => {
        const records = await intakeRecords();
        return [
          helmSends(records, namespace, release).length,
          crdSends(records, "DatadogAgent", namespace, agent).length,
        ];
      },
      { timeout: 60_000 },
    )
    .toEqual([1, 1]);
  await expect
    .poll(async () => (await request.get(`/api/agents/${namespace}/${agent}`)).status(), { timeout: 30_000 })
    .toBe(200);

  // 3. The start form refuses a config holding them, naming where (never what), and stores nothing.
  const commandsBefore = await commandCount();
  await page.goto(`/agents/${namespace}/${agent}`);
  await page.getByLabel("Experiment id").fill("corpus-exp");
  await page.getByLabel("Config (YAML or JSON)").fill(YAML.stringify({ features: { corpus } }));
  const problems = page.getByTestId("config-problems");
  for (let i = 0; i < SECRET_CORPUS.length; i++)
    await expect(problems).toContainText(`features.corpus.shape${i}`);
  await expect(problems).toContainText("holds a literal secret");
  await expect(page.getByRole("button", { name: "Start experiment" })).toBeDisabled();
  const shown = await problems.innerText();
  expect(quoted(shown)).toEqual([]);

  // 4. Signals (a dashboard with an API token, on the same database): each shape refused before
  // anything is stored, the answer naming where, never what.
  const port = await freePort();
  const web = startWeb("secrets-scan-web", {
    DATABASE_URL: e2eState().databaseUrl,
    FLEETDECK_WEB_PORT: String(port),
    FLEETDECK_API_TOKEN: TEST_SECRETS.apiToken,
  });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/api/controllers`, { proc: web });
    // The stack's cluster, named: the fleet of the browser run has a second one.
    const cluster = await clusterIdOf(e2eKubeConfig());
    const signal = async (config: unknown) =>
      fetch(`http://127.0.0.1:${port}/api/signals?target=${namespace}/${agent}&cluster=${cluster}`, {
        method: "POST",
        headers: { authorization: `Bearer ${TEST_SECRETS.apiToken}`, "content-type": "application/json" },
        body: JSON.stringify({ action: "startExperiment", experiment_id: "corpus-signal", config }),
      });
    for (const shape of [...SECRET_CORPUS, { name: "all shapes", secret: "", plant: () => corpus }]) {
      const answer = await signal({ features: { corpus: shape.plant(shape.secret) } });
      const body = await answer.text();
      expect(answer.status, shape.name).toBe(422);
      expect(JSON.parse(body)).toMatchObject({ code: "literal-secret" });
      expect(quoted(body), shape.name).toEqual([]);
    }
  } finally {
    await web.stop();
  }
  expect(await commandCount()).toBe(commandsBefore);

  // 5. The scan: pages, API answers, every payload the dashboard can show, what the intake got,
  // logs and SQLite files.
  const leaks: Leak[] = [];
  for (const pathname of [...PAGES, `/agents/${namespace}/${agent}`]) {
    const response = await page.goto(pathname);
    if (response?.status() === 404) continue; // a page of a feature not in this build
    await page.waitForLoadState("networkidle");
    leaks.push(...findSecrets(await page.content(), `page ${pathname}`));
  }
  for (const pathname of [
    ...API,
    `/api/agents/${namespace}/${agent}`,
    `/api/agents/${namespace}/${agent}/revisions`,
  ]) {
    const response = await request.get(pathname);
    if (response.status() === 404) continue;
    leaks.push(...findSecrets(await response.text(), `GET ${pathname}`));
  }
  const sends = (await (await request.get("/api/metadata/sends")).json()) as { rows?: { id: number }[] };
  for (const { id } of (sends.rows ?? []).slice(0, 200)) {
    leaks.push(...findSecrets(await (await request.get(`/api/metadata/sends/${id}`)).text(), `send ${id}`));
  }
  // What fleetdeck sent: the intake gets the same redacted payloads (docs/metadata.md).
  leaks.push(...findSecrets(JSON.stringify(await intakeRecords()), "the fake intake's records"));

  const { scanned, leaks: fileLeaks } = scanFiles([LOG_DIR, path.join(STATE_DIR, "test-db")]);
  leaks.push(...fileLeaks);
  if (e2eState().store === "postgresql") leaks.push(...(await scanPostgres(e2eState().databaseUrl)));
  console.log(
    `[secrets] ${SECRET_CORPUS.length} corpus shapes planted; scanned ${PAGES.length + API.length + 3} pages and answers, ` +
      `${sends.rows?.length ?? 0} payloads, ${scanned.length} files`,
  );
  expect(scanned.some((f) => f.endsWith(".log"))).toBe(true);
  expect(scanned.some((f) => f.endsWith(".db"))).toBe(true);
  expect(scanned.some((f) => f.endsWith(".db-wal"))).toBe(true);
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
