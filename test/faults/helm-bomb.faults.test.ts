// A gzip bomb in a tenant namespace (issue 13): anyone who may create a ConfigMap can hand the
// Helm forwarder a "release" of a few KB of gzip that expands to hundreds of MB. With the
// decoded-release cap (1 MiB by default, enforced while the gunzip streams) the controller reads
// at most that much of each, records each bomb once as skipped (a send-log row and a Warning
// Event saying why), and keeps forwarding the other releases: its RSS stays within 64 MB of its
// idle figure and the SQLite files (with the WAL) grow by less than 1 MB, through several Helm
// heartbeats. Before the cap, a bomb expanding to just under the old 16 MiB limit was decoded,
// sent, and stored as a ~32 MB row on every send, heartbeat and retry.
import fs from "node:fs";
import zlib from "node:zlib";
import { CoreV1Api, EventsV1Api } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { Database } from "../../lib/db/open";
import { databaseFile, storeLocation } from "../../lib/db/url";
import { helmReleaseSecret } from "../../testing/helm-release";
import { createNamespace, eventually, testNamespace, uniqueName } from "../harness";
import { createSecret, helmSends } from "../metadata";
import { helmNamespacesEnv } from "../service-account";
import { faultStack } from "./stack";

const ns = testNamespace("faults-helm-bomb");
const stack = faultStack(() => ns.name);
const MB = 1024 * 1024;

/** VmRSS of a process, in bytes. */
function rss(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  if (!kb) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kb) * 1024;
}

/**
 * What the store takes on disk, in bytes: the SQLite file with its WAL and shared-memory index
 * (after a checkpoint), or the PostgreSQL database's size.
 */
async function storeBytes(db: Database, url: string): Promise<number> {
  if (storeLocation({ DATABASE_URL: url }).provider === "postgresql") {
    const [row] = await db.$queryRawUnsafe<{ bytes: bigint }[]>(
      "SELECT pg_database_size(current_database()) AS bytes",
    );
    return Number(row!.bytes);
  }
  await db.$queryRawUnsafe("PRAGMA wal_checkpoint(TRUNCATE)");
  const file = databaseFile({ DATABASE_URL: url });
  return ["", "-wal", "-shm"].reduce((sum, suffix) => {
    const f = file + suffix;
    return sum + (fs.existsSync(f) ? fs.statSync(f).size : 0);
  }, 0);
}

/**
 * Helm's text (base64 of gzip) of a release whose JSON is valid and names the datadog chart, with
 * `expandedBytes` in all: a few KB of gzip per 16 MiB, as a ConfigMap holds it.
 */
async function gzipBomb(name: string, namespace: string, expandedBytes: number): Promise<string> {
  const gzip = zlib.createGzip({ level: 9 });
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve) => gzip.on("end", resolve));
  gzip.on("data", (c: Buffer) => chunks.push(c));
  const head = `{"name":"${name}","namespace":"${namespace}","version":1,"chart":{"metadata":{"name":"datadog","version":"3.70.0","appVersion":"7.55.0"},"values":{}},"config":{"padding":"`;
  const tail = `"}}`;
  gzip.write(head);
  const block = Buffer.alloc(MB, "x");
  for (let left = expandedBytes - head.length - tail.length; left > 0; left -= block.length)
    gzip.write(left >= block.length ? block : block.subarray(0, left));
  gzip.end(tail);
  await done;
  return Buffer.concat(chunks).toString("base64");
}

describe("a gzip bomb Helm release in a tenant namespace", () => {
  it("costs at most the decoded-release cap: bounded RSS and store growth, other releases still forwarded", async () => {
    const s = await stack();
    const tenant = await createNamespace(ns.kc, "faults-tenant");
    const controller = await s.controller("helm-bomb", {
      // Heartbeats every 2 s: whatever a bomb cost once, it would cost again on each.
      FLEETDECK_METADATA_HELM_HEARTBEAT_SECONDS: "2",
      ...helmNamespacesEnv([ns.name, tenant]),
    });
    await eventually(async () => expect(await controller.isLeader()).toBe(true));
    const pid = controller.proc.child.pid!;

    // Idle: forwarding works, the first release is sent, the process has settled.
    const before = uniqueName("datadog");
    await createSecret(ns.kc, helmReleaseSecret({ namespace: ns.name, release: before, revision: 1 }));
    // Sent at least once (its heartbeats, every 2 s, may already have followed on a slow machine).
    await eventually(() => expect(helmSends(s.intake.records(), ns.name, before)).not.toEqual([]), {
      timeoutMs: 30_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const idleSamples: number[] = [];
    for (let i = 0; i < 10; i++) {
      idleSamples.push(rss(pid));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const idleRss = Math.max(...idleSamples);
    const idleFiles = await storeBytes(s.db, s.databaseUrl);

    // The bombs: three just under the old 16 MiB cap, one of 512 MiB, each a ConfigMap.
    let peakRss = idleRss;
    const sampler = setInterval(() => {
      try {
        peakRss = Math.max(peakRss, rss(pid));
      } catch {
        // the process is gone: the assertions below say so
      }
    }, 50);
    const bombs: { release: string; size: number }[] = [
      { release: uniqueName("bomb"), size: 16 * MB - 1024 },
      { release: uniqueName("bomb"), size: 16 * MB - 1024 },
      { release: uniqueName("bomb"), size: 16 * MB - 1024 },
      { release: uniqueName("bomb"), size: 512 * MB },
    ];
    const core = ns.kc.makeApiClient(CoreV1Api);
    let growth = 0;
    try {
      for (const bomb of bombs) {
        const release = await gzipBomb(bomb.release, tenant, bomb.size);
        expect(release.length).toBeLessThan(MB);
        await core.createNamespacedConfigMap({
          namespace: tenant,
          body: {
            metadata: {
              name: `sh.helm.release.v1.${bomb.release}.v1`,
              labels: { owner: "helm", name: bomb.release, status: "deployed", version: "1" },
            },
            data: { release },
          },
        });
      }
      // Another release after the bombs: still forwarded.
      const after = uniqueName("datadog");
      await createSecret(ns.kc, helmReleaseSecret({ namespace: ns.name, release: after, revision: 1 }));
      await eventually(() => expect(helmSends(s.intake.records(), ns.name, after)).not.toEqual([]), {
        timeoutMs: 30_000,
      });
      // Each bomb recorded once as skipped, saying why.
      const skipped = await eventually(
        async () => {
          const rows = await s.db.metadataSend.findMany({
            where: { status: "skipped", object: { startsWith: `${tenant}/` } },
          });
          expect(rows).toHaveLength(bombs.length);
          return rows;
        },
        { timeoutMs: 30_000 },
      );
      for (const row of skipped) {
        expect(row.error).toMatch(
          /too-large.*more than 1048576 bytes \(FLEETDECK_METADATA_HELM_MAX_RELEASE_BYTES\)/,
        );
        expect(row.payload).toBe("");
      }
      // Where kubectl users look: a Warning Event on each ConfigMap.
      await eventually(
        async () => {
          const events = await ns.kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: tenant });
          const skippedEvents = events.items.filter((e) => e.reason === "MetadataSkipped");
          expect(skippedEvents).toHaveLength(bombs.length);
        },
        { timeoutMs: 30_000 },
      );
      // Three heartbeats of a healthy release later (they still go out), nothing more of the bombs:
      // counted from when the last bomb was recorded, not guessed from a fixed wait.
      const recorded = new Date(Math.max(...skipped.map((row) => row.at.getTime())));
      await eventually(
        async () =>
          expect(
            await s.db.metadataSend.count({
              where: { object: `${ns.name}/${before}`, reason: "heartbeat", at: { gt: recorded } },
            }),
          ).toBeGreaterThanOrEqual(3),
        { timeoutMs: 30_000 },
      );
      expect(await s.db.metadataSend.count({ where: { object: { startsWith: `${tenant}/` } } })).toBe(
        bombs.length,
      );
      for (const bomb of bombs) expect(helmSends(s.intake.records(), tenant, bomb.release)).toEqual([]);
    } finally {
      clearInterval(sampler);
      // The figures, also when an assertion above failed (as it does without the cap).
      growth = (await storeBytes(s.db, s.databaseUrl)) - idleFiles;
      console.log(
        `[helm-bomb] idle RSS ${(idleRss / MB).toFixed(1)} MB, peak RSS ${(peakRss / MB).toFixed(1)} MB ` +
          `(+${((peakRss - idleRss) / MB).toFixed(1)} MB), store growth ${(growth / 1024).toFixed(0)} KB`,
      );
      await core.deleteNamespace({ name: tenant }).catch(() => undefined);
    }
    expect(controller.proc.child.exitCode).toBeNull();
    expect(peakRss - idleRss).toBeLessThan(64 * MB);
    expect(growth).toBeLessThan(MB);
    await controller.proc.stop();
  });
});
