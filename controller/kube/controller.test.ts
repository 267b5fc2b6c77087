// The controller builder: caches before workers, map functions on old and new objects, the
// result of a reconcile (done, requeue after, error, terminal error), metrics under the
// controller's name, and a fresh queue per start.
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { Controller, TerminalError, type ControllerOptions, type KeyCodec } from "./controller";
import type { Informer, KubeObject } from "./informer";
import { metricSum, reconcileMetrics } from "./metrics";

/** Just what the controller uses of an informer: handlers, start, sync and the cached list. */
class FakeInformer {
  readonly objects = new Map<string, KubeObject>();
  private readonly handlers = {
    add: [] as ((o: KubeObject) => void)[],
    update: [] as ((a: KubeObject, b: KubeObject) => void)[],
    delete: [] as ((o: KubeObject) => void)[],
  };
  private synced = false;
  private readonly waiters: (() => void)[] = [];
  started = 0;

  on(event: "add" | "update" | "delete", handler: never): this {
    (this.handlers[event] as unknown[]).push(handler);
    return this;
  }
  start(): void {
    this.started++;
  }
  waitForSync(): Promise<void> {
    return this.synced ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
  list(): KubeObject[] {
    return [...this.objects.values()];
  }
  sync(): void {
    this.synced = true;
    for (const resolve of this.waiters.splice(0)) resolve();
  }
  add(obj: KubeObject): void {
    this.objects.set(obj.metadata.name, obj);
    for (const h of this.handlers.add) h(obj);
  }
  update(obj: KubeObject): void {
    const old = this.objects.get(obj.metadata.name)!;
    this.objects.set(obj.metadata.name, obj);
    for (const h of this.handlers.update) h(old, obj);
  }
  asInformer(): Informer<KubeObject> {
    return this as unknown as Informer<KubeObject>;
  }
}

const obj = (name: string, labels: Record<string, string> = {}): KubeObject => ({
  metadata: { name, namespace: "ns", labels },
});

const controllers: Controller[] = [];
function controller(options: Omit<ControllerOptions, "log">): Controller {
  const c = new Controller({ ...options, log: pino({ level: "silent" }) });
  controllers.push(c);
  return c;
}
afterEach(async () => {
  await Promise.all(controllers.splice(0).map((c) => c.stop()));
});

const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(condition: () => boolean, timeoutMs = 2000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await tick(2);
  }
}

describe("Controller", () => {
  it("starts its workers only once every watched informer and cache has synced, then reconciles every cached object", async () => {
    const primary = new FakeInformer();
    const cache = new FakeInformer();
    primary.objects.set("a", obj("a"));
    const seen: string[] = [];
    const c = controller({
      name: `sync-${Math.random()}`,
      watches: [{ informer: primary.asInformer() }],
      caches: [cache.asInformer()],
      initialKeys: () => ["ns/gone-while-stopped"],
      reconcile: async (key) => {
        seen.push(key);
      },
    });
    c.start();
    expect(primary.started).toBe(1);
    expect(cache.started).toBe(1);
    primary.sync();
    primary.add(obj("b")); // queued, not reconciled yet: the cache has not synced
    await tick(20);
    expect(seen).toEqual([]);
    expect(c.isRunning()).toBe(false);
    cache.sync();
    await until(() => seen.length === 3);
    expect(seen.sort()).toEqual(["ns/a", "ns/b", "ns/gone-while-stopped"]);
    expect(c.isRunning()).toBe(true);
  });

  it("maps an update to the keys of the old and of the new object", async () => {
    const informer = new FakeInformer();
    informer.sync();
    const seen = new Set<string>();
    const c = controller({
      name: `map-${Math.random()}`,
      watches: [
        {
          informer: informer.asInformer(),
          keys: (o) => [
            `own:${o.metadata.name}`,
            ...(o.metadata.labels?.group ? [`group:${o.metadata.labels.group}`] : []),
          ],
        },
      ],
      reconcile: async (key) => {
        seen.add(key);
      },
    });
    c.start();
    await until(() => c.isRunning());
    informer.add(obj("x", { group: "one" }));
    await until(() => seen.has("group:one"));
    seen.clear();
    informer.update(obj("x", { group: "two" }));
    await until(() => seen.size === 3);
    expect([...seen].sort()).toEqual(["group:one", "group:two", "own:x"]);
  });

  it("retries an error with backoff, requeues when asked, and never retries a terminal error", async () => {
    const name = `results-${Math.random()}`;
    const calls = new Map<string, number>();
    const c = controller({
      name,
      initialKeys: () => ["flaky", "periodic", "invalid"],
      reconcile: async (key) => {
        const n = (calls.get(key) ?? 0) + 1;
        calls.set(key, n);
        if (key === "flaky" && n < 3) throw new Error("not yet");
        if (key === "periodic" && n === 1) return { requeueAfterMs: 20 };
        if (key === "invalid") throw new TerminalError("the spec is invalid");
      },
    });
    c.start();
    await until(() => calls.get("flaky") === 3 && calls.get("periodic") === 2 && c.isIdle());
    await tick(50);
    expect(calls.get("invalid")).toBe(1);
    expect(await metricSum(reconcileMetrics.errors, { controller: name })).toBe(3);
    expect(await metricSum(reconcileMetrics.terminalErrors, { controller: name })).toBe(1);
    expect(await metricSum(reconcileMetrics.total, { controller: name, result: "requeue_after" })).toBe(1);
    expect(await metricSum(reconcileMetrics.total, { controller: name, result: "success" })).toBe(2);
  });

  it("drops its queue on stop and starts over with every cached object on the next start (a new leadership term)", async () => {
    const informer = new FakeInformer();
    informer.objects.set("a", obj("a"));
    informer.sync();
    let calls = 0;
    const c = controller({
      name: `restart-${Math.random()}`,
      watches: [{ informer: informer.asInformer() }],
      reconcile: async () => {
        calls++;
        return { requeueAfterMs: 60_000 };
      },
    });
    c.start();
    await until(() => calls === 1);
    await c.stop();
    informer.add(obj("b")); // while stopped: not queued anywhere
    expect(c.isIdle()).toBe(true);
    c.start();
    await until(() => calls === 3);
  });

  it("hands typed keys through its codec, and drops a text its codec refuses as a terminal error", async () => {
    interface Ref {
      kind: string;
      name: string;
    }
    const refs: KeyCodec<Ref> = {
      encode: (ref) => `${ref.kind}:${ref.name}`,
      decode: (text) => {
        const [kind, name] = text.split(":");
        return kind && name ? { kind, name } : undefined;
      },
    };
    const informer = new FakeInformer();
    informer.objects.set("a", obj("a"));
    informer.sync();
    const name = `typed-${Math.random()}`;
    const seen: Ref[] = [];
    const c = new Controller<Ref>({
      name,
      keyCodec: refs,
      watches: [{ informer: informer.asInformer(), keys: (o) => [{ kind: "Thing", name: o.metadata.name }] }],
      initialKeys: () => [{ kind: "Gone", name: "b" }],
      reconcile: async (ref) => void seen.push(ref),
      log: pino({ level: "silent" }),
    });
    controllers.push(c as unknown as Controller);
    c.start();
    await until(() => seen.length === 2);
    c.enqueue({ kind: "Thing", name: "c" });
    c.enqueue({ kind: "", name: "malformed" }); // encodes to a text decode refuses
    await until(() => seen.length === 3 && c.isIdle());
    expect(seen).toEqual([
      { kind: "Thing", name: "a" },
      { kind: "Gone", name: "b" },
      { kind: "Thing", name: "c" },
    ]);
    expect(await metricSum(reconcileMetrics.terminalErrors, { controller: name })).toBe(1);
  });
});
