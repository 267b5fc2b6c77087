// The controller's manager (controller/kube/manager.ts, configured as main.ts configures it) on
// the real API server: a controller whose CRD is not installed is reported unready within its
// sync timeout (FLEETDECK_CACHE_SYNC_TIMEOUT_SECONDS), /readyz naming the CRD and the API's
// 404, and the log says so once; installing the CRD then makes it ready without a restart.
import { ApiextensionsV1Api } from "@kubernetes/client-node";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { loadControllerConfig } from "../controller/config";
import { createManager } from "../controller/context";
import { KubeClient } from "../controller/kube/client";
import { Controller } from "../controller/kube/controller";
import { eventually, testKubeConfig, uniqueName } from "./harness";

const SYNC_TIMEOUT_S = 3;

describe("a controller started without its CRD", () => {
  it("is unready within its sync timeout, /readyz naming the CRD, logged once; ready once the CRD exists", async () => {
    const kc = testKubeConfig();
    const lines: { level: number; msg: string; check?: string }[] = [];
    const log = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const config = loadControllerConfig(
      {
        FLEETDECK_CONTROLLER_ID: "manager-test",
        FLEETDECK_LEADER_ELECT: "false",
        FLEETDECK_CACHE_SYNC_TIMEOUT_SECONDS: String(SYNC_TIMEOUT_S),
      },
      [],
    );
    const client = new KubeClient(kc, "fleetdeck-controller/test manager-test");
    const manager = createManager(config, client, log);
    // A group no CRD serves (unique per run, so nothing left from an earlier run serves it).
    const group = `${uniqueName("absent")}.fleetdeck.dev`;
    const widgets = manager.informers.informer({ name: "widgets", path: `/apis/${group}/v1/widgets` });
    const reconciled: string[] = [];
    manager.add(
      new Controller({
        name: "widgets",
        watches: [{ informer: widgets }],
        reconcile: async (key) => void reconciled.push(key),
        log,
      }),
    );
    const { port } = await manager.serve("127.0.0.1", 0);
    const readyz = async () => {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(5_000) });
      return { status: res.status, text: await res.text() };
    };
    const crds = kc.makeApiClient(ApiextensionsV1Api);
    const startedAt = Date.now();
    await manager.start();
    try {
      const early = await readyz();
      expect(early.status).toBe(503);
      expect(early.text).toContain(`[-]controller/widgets failed: waiting for widgets.${group}/v1 to sync`);

      const late = await eventually(
        async () => {
          const answer = await readyz();
          expect(answer.text).toContain(
            `[-]controller/widgets failed: widgets.${group}/v1 has not synced after ${SYNC_TIMEOUT_S} s: is its CRD installed? (the API answered 404`,
          );
          return { ...answer, after: Date.now() - startedAt };
        },
        { timeoutMs: 10_000, intervalMs: 100 },
      );
      expect(late.status).toBe(503);
      // Within the timeout plus the manager's check interval and a little slack.
      expect(late.after).toBeLessThan(SYNC_TIMEOUT_S * 1000 + 2_500);
      console.log(`[manager] missing CRD reported unready after ${late.after} ms`);
      const loud = () => lines.filter((l) => l.level === 50 && l.check === "controller/widgets");
      await eventually(() => expect(loud()).toHaveLength(1));
      expect(loud()[0]!.msg).toContain(`widgets.${group}/v1 has not synced after ${SYNC_TIMEOUT_S} s`);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(loud()).toHaveLength(1); // once, not on every check

      // Installed later, the CRD is listed at the informer's next try: ready, no restart.
      await crds.createCustomResourceDefinition({
        body: {
          metadata: { name: `widgets.${group}` },
          spec: {
            group,
            scope: "Namespaced",
            names: { plural: "widgets", singular: "widget", kind: "Widget" },
            versions: [
              {
                name: "v1",
                served: true,
                storage: true,
                schema: { openAPIV3Schema: { type: "object", x_kubernetes_preserve_unknown_fields: true } },
              },
            ],
          },
        },
      });
      await eventually(async () => expect(await readyz()).toEqual({ status: 200, text: "ok\n" }), {
        timeoutMs: 30_000,
        intervalMs: 200,
      });
      expect(reconciled).toEqual([]); // nothing to reconcile: no widgets
    } finally {
      await manager.stop();
      client.close();
      await crds.deleteCustomResourceDefinition({ name: `widgets.${group}` }).catch(() => undefined);
    }
  }, 60_000);
});
