// The metadata intake down for a while (every request answered 503) while objects are created
// and edited: once it is back, the latest snapshot of every object is delivered. Time is
// compressed: a short outage, with the workqueue's real per-key backoff (5 ms doubling).
import { describe, expect, it } from "vitest";
import { eventually, testNamespace, uniqueName } from "../harness";
import { crds } from "../../testing/custom-resources";
import { crdSends } from "../metadata";
import { faultStack } from "./stack";

const ns = testNamespace("faults-intake");
const stack = faultStack(() => ns.name);
const AGENTS = 10;
const OUTAGE_MS = 8_000;

describe("intake outage", () => {
  it("every object's latest snapshot is delivered once the intake is back", async () => {
    const s = await stack();
    const controller = await s.controller("intake-outage");
    await eventually(async () => expect(await controller.isLeader()).toBe(true));
    s.intake.fail({ status: 503, times: 1_000_000 });
    const down = Date.now();
    const api = crds(ns.kc);
    const names = Array.from({ length: AGENTS }, () => uniqueName("agent"));
    for (const name of names) await api.create("DatadogAgent", ns.name, name, { global: { site: "v1" } });
    for (const name of names)
      await api.patch("DatadogAgent", ns.name, name, { spec: { global: { site: `v2-${name}` } } });
    // Every object was refused at least once (however long that takes on a busy machine), and
    // the outage lasts OUTAGE_MS at least, through several retries of each.
    await eventually(
      () => expect(s.intake.records().filter((r) => r.status === 503).length).toBeGreaterThanOrEqual(AGENTS),
      { timeoutMs: 30_000 },
    );
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, OUTAGE_MS - (Date.now() - down))));
    s.intake.fail({ times: 0 });

    await eventually(
      () => {
        for (const name of names) {
          const last = crdSends(s.intake.records(), "DatadogAgent", ns.name, name).at(-1);
          expect(last, name).toBeDefined();
          expect(JSON.parse(last!.crd_spec_full)).toMatchObject({ global: { site: `v2-${name}` } });
        }
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    // The send log tells the story: failed attempts, then the retry that went through (its
    // rows are written in batches, a moment after the sends).
    await eventually(async () => {
      const statuses = await s.db.metadataSend.groupBy({ by: ["status"], _count: true });
      const count = (status: string) => statuses.find((r) => r.status === status)?._count ?? 0;
      expect(count("failed")).toBeGreaterThanOrEqual(AGENTS);
      expect(count("sent")).toBeGreaterThanOrEqual(AGENTS);
    });
    expect(controller.proc.child.exitCode).toBeNull();
    await controller.proc.stop();
  });
});
