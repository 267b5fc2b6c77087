// The informer against a real API server that is stopped and started again: it reconnects,
// relists when its resourceVersion has expired (410 Gone), and converges with nothing missed.
import { describe, expect, inject, it } from "vitest";
import { CoreV1Api } from "@kubernetes/client-node";
import { clusterHandle, startComponent, stopComponent } from "../../testing/local-cluster";
import { waitForApiServer } from "../../testing/api-server";
import { controllerClient, eventually, testLogger, testNamespace, uniqueName } from "../../test/harness";

import { Informer, type KubeObject } from "./informer";
import { informerMetrics, metricSum } from "./metrics";

const ns = testNamespace("informer");
/** The informers under test use the controller's credentials (a ServiceAccount under test:int:sa). */
const controllerApi = controllerClient();
const log = testLogger();

const counter = metricSum;

function names(informer: Informer): string[] {
  return informer
    .list()
    .map((o) => o.metadata.name)
    .sort();
}

async function apiNames(core: CoreV1Api, namespace: string): Promise<string[]> {
  const list = await core.listNamespacedConfigMap({
    namespace,
    labelSelector: "fleetdeck.dev/informer-test=true",
  });
  return list.items.map((c) => c.metadata!.name!).sort();
}

describe("Informer", () => {
  it("lists, then follows adds, updates and deletes through the watch", async () => {
    const core = ns.kc.makeApiClient(CoreV1Api);
    const informer = new Informer<KubeObject>(
      controllerApi,
      { name: uniqueName("cm"), path: `/api/v1/namespaces/${ns.name}/configmaps` },
      log,
    );
    const seen: string[] = [];
    informer.on("add", (o) => seen.push(`add ${o.metadata.name}`));
    informer.on("update", (_, o) => seen.push(`update ${o.metadata.name}`));
    informer.on("delete", (o) => seen.push(`delete ${o.metadata.name}`));
    await core.createNamespacedConfigMap({
      namespace: ns.name,
      body: { metadata: { name: "before" }, data: { v: "1" } },
    });
    informer.start();
    await informer.waitForSync();
    expect(informer.hasSynced()).toBe(true);
    expect(informer.get(`${ns.name}/before`)).toBeDefined();

    await core.createNamespacedConfigMap({
      namespace: ns.name,
      body: { metadata: { name: "after" }, data: { v: "1" } },
    });
    await core.patchNamespacedConfigMap({
      name: "before",
      namespace: ns.name,
      body: [{ op: "replace", path: "/data/v", value: "2" }],
    });
    await core.deleteNamespacedConfigMap({ name: "after", namespace: ns.name });
    await eventually(() =>
      expect(seen).toEqual(
        expect.arrayContaining(["add before", "add after", "update before", "delete after"]),
      ),
    );
    expect((informer.get(`${ns.name}/before`) as unknown as { data: { v: string } }).data.v).toBe("2");
    expect(informer.get(`${ns.name}/after`)).toBeUndefined();
    await informer.stop();
  });

  it("applies the transform before caching", async () => {
    const core = ns.kc.makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({
      namespace: ns.name,
      body: { metadata: { name: "big", labels: { keep: "yes" } }, data: { blob: "x".repeat(10_000) } },
    });
    const informer = new Informer(
      controllerApi,
      {
        name: uniqueName("cm-small"),
        path: `/api/v1/namespaces/${ns.name}/configmaps`,
        transform: (raw) => ({
          metadata: {
            name: raw.metadata.name,
            namespace: raw.metadata.namespace,
            resourceVersion: raw.metadata.resourceVersion,
            labels: raw.metadata.labels,
          },
        }),
      },
      log,
    );
    informer.start();
    await informer.waitForSync();
    const cached = informer.get(`${ns.name}/big`)!;
    expect(cached.metadata.labels).toEqual({ keep: "yes" });
    expect(cached).not.toHaveProperty("data");
    expect(cached.metadata).not.toHaveProperty("managedFields");
    await informer.stop();
  });

  it("survives a kube-apiserver restart, relists after 410 Gone, and converges with nothing missed", async () => {
    const clusterName = inject("clusterName");
    if (!clusterName)
      throw new Error("this test restarts kube-apiserver: it needs the run's own local cluster");
    const handle = clusterHandle(clusterName);
    const core = ns.kc.makeApiClient(CoreV1Api);
    const label = { "fleetdeck.dev/informer-test": "true" };
    for (const name of ["a", "b", "c"]) {
      await core.createNamespacedConfigMap({
        namespace: ns.name,
        body: { metadata: { name, labels: label }, data: { v: "1" } },
      });
    }
    const name = uniqueName("restart");
    const informer = new Informer(
      controllerApi,
      {
        name,
        path: `/api/v1/namespaces/${ns.name}/configmaps`,
        labelSelector: "fleetdeck.dev/informer-test=true",
      },
      log,
    );
    const deleted: string[] = [];
    informer.on("delete", (o) => deleted.push(o.metadata.name));
    informer.start();
    await informer.waitForSync();
    expect(names(informer)).toEqual(["a", "b", "c"]);
    const relistsBefore = await counter(informerMetrics.relists, { informer: name });

    const stopped = await stopComponent(handle, "kube-apiserver");
    startComponent(handle, stopped);
    await waitForApiServer(ns.kc, 60_000);
    // Changes made right after the restart, before the informer has necessarily reconnected.
    await core.deleteNamespacedConfigMap({ name: "b", namespace: ns.name });
    await core.patchNamespacedConfigMap({
      name: "a",
      namespace: ns.name,
      body: [{ op: "replace", path: "/data/v", value: "2" }],
    });
    await core.createNamespacedConfigMap({
      namespace: ns.name,
      body: { metadata: { name: "d", labels: label }, data: { v: "1" } },
    });

    await eventually(async () => expect(names(informer)).toEqual(await apiNames(core, ns.name)), {
      timeoutMs: 30_000,
    });
    expect(names(informer)).toEqual(["a", "c", "d"]);
    await eventually(() =>
      expect((informer.get(`${ns.name}/a`) as unknown as { data: { v: string } }).data.v).toBe("2"),
    );
    expect(deleted).toEqual(["b"]);
    // The restarted API server's watch cache begins after the informer's last resourceVersion:
    // the informer must have been told 410 Gone and relisted.
    expect(
      await counter(informerMetrics.restarts, { informer: name, reason: "gone" }),
    ).toBeGreaterThanOrEqual(1);
    expect(await counter(informerMetrics.relists, { informer: name })).toBeGreaterThan(relistsBefore);
    await informer.stop();
  }, 120_000);

  it("restarts a watch that has gone silent", async () => {
    const name = uniqueName("silent");
    const informer = new Informer(
      controllerApi,
      { name, path: `/api/v1/namespaces/${ns.name}/secrets`, watchdogMs: 500 },
      log,
    );
    informer.start();
    await informer.waitForSync();
    // Nothing happens to secrets in this namespace: no events, and no bookmark within 500 ms.
    await eventually(
      async () =>
        expect(
          await counter(informerMetrics.restarts, { informer: name, reason: "watchdog" }),
        ).toBeGreaterThanOrEqual(2),
      {
        timeoutMs: 10_000,
      },
    );
    expect(informer.hasSynced()).toBe(true);
    await informer.stop();
  });
  it("runs handlers by priority, then in the order they were added, and caches managedFields compacted", async () => {
    const core = ns.kc.makeApiClient(CoreV1Api);
    const informer = new Informer<KubeObject>(
      controllerApi,
      { name: uniqueName("cm"), path: `/api/v1/namespaces/${ns.name}/configmaps` },
      log,
    );
    const name = uniqueName("prio");
    const order: string[] = [];
    const mine = (label: string) => (o: KubeObject) => {
      if (o.metadata.name === name) order.push(label);
    };
    informer.on("add", mine("first added"));
    informer.on("add", mine("priority 100"), { priority: 100 });
    informer.on("add", mine("second added"));
    informer.on("add", mine("priority 10"), { priority: 10 });
    informer.start();
    await informer.waitForSync();
    await core.createNamespacedConfigMap({
      namespace: ns.name,
      body: { metadata: { name }, data: { v: "1" } },
    });
    await eventually(() =>
      expect(order).toEqual(["priority 100", "priority 10", "first added", "second added"]),
    );
    expect(informer.get(`${ns.name}/${name}`)!.metadata.managedFields).toEqual([
      expect.objectContaining({ operation: "Update", fieldsV1: { "f:data": {} } }),
    ]);
    await informer.stop();
  });
});
