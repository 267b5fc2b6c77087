// The manager without a cluster (no leader election: it leads from its start): the order
// runnables start and stop in, and readiness while caches sync and past the sync timeout, on a
// fake clock. The same with a real CRD missing is test/manager.int.test.ts.
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { managerWithoutCluster } from "../../testing/manager";
import { describeWait, resourceOf, type SyncingCache } from "./cache-sync";
import { ApiError } from "./client";
import type { CacheReader, Runnable } from "./manager";

interface Line {
  level: number;
  msg: string;
  check?: string;
}

let lines: Line[] = [];
const log = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line)) });

function cache(path: string, error?: unknown): SyncingCache & { synced: boolean } {
  return {
    name: path,
    path,
    synced: false,
    hasSynced() {
      return this.synced;
    },
    lastError: () => error,
  };
}

const DDA = "/apis/datadoghq.com/v2alpha1/datadogagents";
const notFound = new ApiError(404, "HTTP 404: the server could not find the requested resource");

beforeEach(() => {
  lines = [];
});

describe("cache sync messages", () => {
  it("name a resource by its resource, group and version", () => {
    expect(resourceOf(DDA)).toBe("datadogagents.datadoghq.com/v2alpha1");
    expect(resourceOf("/apis/datadoghq.com/v2alpha1/namespaces/ns/datadogagents")).toBe(
      "datadogagents.datadoghq.com/v2alpha1",
    );
    expect(resourceOf("/api/v1/pods")).toBe("pods/v1");
    expect(resourceOf("/api/v1/namespaces/kube-system/secrets")).toBe("secrets/v1");
  });

  it("list what is awaited before the timeout, and why it is still missing after", () => {
    const dda = cache(DDA, notFound);
    const pods = cache("/api/v1/pods", new ApiError(403, 'HTTP 403: pods is forbidden: cannot list "pods"'));
    const rbac = cache("/apis/rbac.authorization.k8s.io/v1/roles", new Error("socket hang up"));
    const slow = cache("/api/v1/configmaps");
    const wait = { since: 0, caches: [dda, pods, rbac, slow] };
    expect(describeWait(wait, 30_000, 29_999)).toEqual({
      message:
        "waiting for datadogagents.datadoghq.com/v2alpha1, pods/v1, roles.rbac.authorization.k8s.io/v1, configmaps/v1 to sync",
      timedOut: false,
    });
    const late = describeWait(wait, 30_000, 30_000)!;
    expect(late.timedOut).toBe(true);
    expect(late.message.split("; ")).toEqual([
      "datadogagents.datadoghq.com/v2alpha1 has not synced after 30 s: is its CRD installed? (the API answered 404: HTTP 404: the server could not find the requested resource)",
      'pods/v1 has not synced after 30 s: may this controller list and watch it? (the API answered 403: HTTP 403: pods is forbidden: cannot list "pods")',
      "roles.rbac.authorization.k8s.io/v1 has not synced after 30 s: last error: socket hang up",
      "configmaps/v1 has not synced after 30 s: the API server has not answered its list yet",
    ]);
    for (const c of [dda, pods, rbac, slow]) c.synced = true;
    expect(describeWait(wait, 30_000, 60_000)).toBeUndefined();
    expect(describeWait(undefined, 30_000, 60_000)).toBeUndefined();
  });
});

describe("Manager", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("starts runnables in the order added, every replica's first, and stops them in reverse", async () => {
    const events: string[] = [];
    const runnable = (name: string, leaderOnly: boolean): Runnable => ({
      name,
      leaderOnly,
      start: () => void events.push(`start ${name}`),
      stop: () => void events.push(`stop ${name}`),
    });
    const manager = managerWithoutCluster({ log });
    manager.add(runnable("leader-a", true));
    manager.add(runnable("shared-b", false));
    manager.add(runnable("leader-c", true));
    await manager.start();
    expect(manager.isLeader()).toBe(true);
    expect(events).toEqual(["start shared-b", "start leader-a", "start leader-c"]);
    expect(() => manager.add(runnable("late", false))).toThrow(/before start/);
    events.length = 0;
    await manager.stop();
    expect(events).toEqual(["stop leader-c", "stop shared-b", "stop leader-a"]);
  });

  it("says what start-up waits for until it has started", async () => {
    const manager = managerWithoutCluster({ log });
    manager.starting("connecting to the database (SQLite file test.db)");
    expect(await manager.readiness()).toEqual({
      ok: false,
      checks: [{ name: "startup", ok: false, message: "connecting to the database (SQLite file test.db)" }],
    });
    await manager.start();
    expect((await manager.readiness()).ok).toBe(true);
    await manager.stop();
  });

  it("reports a controller unready while its caches sync, and past the timeout names them, logging once", async () => {
    vi.useFakeTimers();
    const dda = cache(DDA, notFound);
    let since: number | undefined;
    const controller: Runnable & CacheReader = {
      name: "datadogagents",
      leaderOnly: true,
      start: () => void (since = Date.now()),
      stop: () => void (since = undefined),
      cacheWait: () => (since === undefined || dda.synced ? undefined : { since, caches: [dda] }),
    };
    const manager = managerWithoutCluster({ log, cacheSyncTimeoutMs: 2_000 });
    manager.add(controller);
    const failed = async () =>
      (await manager.readiness()).checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.message}`);
    expect(await failed()).toContain("startup: starting"); // not started: nothing to wait for yet
    await manager.start();
    expect(await failed()).toEqual([
      "controller/datadogagents: waiting for datadogagents.datadoghq.com/v2alpha1 to sync",
    ]);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(lines.filter((l) => l.level === 50)).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    const message =
      "datadogagents.datadoghq.com/v2alpha1 has not synced after 2 s: is its CRD installed? (the API answered 404: HTTP 404: the server could not find the requested resource)";
    expect(await failed()).toEqual([`controller/datadogagents: ${message}`]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(lines.filter((l) => l.level === 50)).toEqual([
      expect.objectContaining({
        check: "controller/datadogagents",
        msg: `controller/datadogagents: ${message}`,
      }),
    ]);
    dda.synced = true;
    expect(await failed()).toEqual([]);
    await manager.stop();
  });

  it("waits for shared caches from its start (waitForCaches)", async () => {
    vi.useFakeTimers();
    const dpa = cache("/apis/datadoghq.com/v1alpha2/datadogpodautoscalers", notFound);
    const manager = managerWithoutCluster({ log, cacheSyncTimeoutMs: 1_000 });
    manager.waitForCaches("autoscaling", () => [dpa]);
    await manager.start();
    await vi.advanceTimersByTimeAsync(1_000);
    const check = (await manager.readiness()).checks.find((c) => c.name === "autoscaling");
    expect(check?.message).toMatch(
      /^datadogpodautoscalers\.datadoghq\.com\/v1alpha2 has not synced after 1 s/,
    );
    expect(lines.filter((l) => l.level === 50 && l.check === "autoscaling")).toHaveLength(1);
    await manager.stop();
  });
});
