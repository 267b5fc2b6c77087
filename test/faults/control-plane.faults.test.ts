// etcd and kube-apiserver restarted while the controller works (commands streaming in, a
// DatadogAgent being edited): the controller rides it out (never exits), and afterwards every
// command is applied and the last edit's snapshot reaches the intake.
import { describe, expect, inject, it } from "vitest";
import { clusterHandle, startComponent, stopComponent } from "../../testing/local-cluster";
import { waitForApiServer } from "../../testing/api-server";
import { commandStream, settleCommands } from "../command-stream";
import { eventually, testNamespace, uniqueName } from "../harness";
import { crds } from "../../testing/custom-resources";
import { crdSends } from "../metadata";
import { faultStack } from "./stack";

const ns = testNamespace("faults-cp");
const stack = faultStack(() => ns.name);
const clusterName = inject("clusterName");

describe.skipIf(!clusterName)("control plane restarts under load", () => {
  it("etcd, then kube-apiserver, restarted: the controller never exits and catches up", async () => {
    const s = await stack();
    const controller = await s.controller("cp-restart");
    await eventually(async () => expect(await controller.isLeader()).toBe(true));
    const name = uniqueName("agent");
    const api = crds(ns.kc);
    await api.create("DatadogAgent", ns.name, name, { global: { site: "site-0" } });
    const stream = commandStream(s.db, s.clusterId, 100);
    const handle = clusterHandle(clusterName);

    for (const component of ["etcd", "kube-apiserver"]) {
      const stopped = await stopComponent(handle, component);
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      startComponent(handle, stopped);
      await waitForApiServer(ns.kc, 60_000);
      expect(controller.proc.child.exitCode, `controller exited during the ${component} restart`).toBeNull();
    }
    // Edits after the restarts must still flow through the (re-established) watches.
    let edits = 0;
    await eventually(
      async () => {
        edits++;
        await api.patch("DatadogAgent", ns.name, name, { spec: { global: { site: `site-${edits}` } } });
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    const inserted = await stream.stop();

    const outcome = await settleCommands(s.db, s.clusterId, 60_000);
    expect(outcome).toEqual({ applied: inserted, interrupted: 0, unfinished: 0 });
    await eventually(
      () => {
        const last = crdSends(s.intake.records(), "DatadogAgent", ns.name, name).at(-1);
        expect(last && JSON.parse(last.crd_spec_full)).toMatchObject({ global: { site: `site-${edits}` } });
      },
      { timeoutMs: 60_000 },
    );
    expect(controller.proc.child.exitCode).toBeNull();
    expect(await fetch(`${controller.healthURL}/readyz`).then((r) => r.status)).toBe(200);
    await controller.proc.stop();
  });
});
