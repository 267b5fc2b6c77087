import { describe, expect, it } from "vitest";
import { AutoscalingGate, Latch, openerName } from "./gate";

describe("Latch", () => {
  it("opens once and wakes every waiter", async () => {
    const latch = new Latch();
    const waiting = [latch.wait(), latch.wait()];
    expect(latch.isOpen()).toBe(false);
    expect(latch.open()).toBe(true);
    expect(latch.open()).toBe(false);
    expect(await Promise.all(waiting)).toEqual([true, true]);
    expect(await latch.wait()).toBe(true);
  });

  it("resolves false for a waiter whose signal aborts, and stays closed", async () => {
    const latch = new Latch();
    const abort = new AbortController();
    const waiting = latch.wait(abort.signal);
    abort.abort();
    expect(await waiting).toBe(false);
    expect(await latch.wait(abort.signal)).toBe(false);
    expect(latch.isOpen()).toBe(false);
  });
});

describe("AutoscalingGate", () => {
  it("records the first opener only, and never closes", async () => {
    const gate = new AutoscalingGate();
    const opened: string[] = [];
    gate.onOpen((o) => opened.push(openerName(o)));
    expect(gate.state()).toMatchObject({ open: false, openedAt: null, openedBy: null });
    const waiting = gate.waitForEnable();
    expect(gate.enable({ kind: "DatadogPodAutoscaler", namespace: "shop", name: "checkout" })).toBe(true);
    expect(gate.enable({ kind: "DatadogPodAutoscalerClusterProfile", name: "cpu-70" })).toBe(false);
    expect(await waiting).toBe(true);
    expect(opened).toEqual(["shop/checkout"]);
    const state = gate.state();
    expect(state.open).toBe(true);
    expect(state.openedBy).toEqual({ kind: "DatadogPodAutoscaler", namespace: "shop", name: "checkout" });
    expect(state.openedAt).toBeInstanceOf(Date);
  });

  it("marks pod collection synced separately, once", () => {
    const gate = new AutoscalingGate();
    expect(gate.isPodCollectionSynced()).toBe(false);
    gate.markPodCollectionSynced();
    const at = gate.state().podCollectionSyncedAt;
    gate.markPodCollectionSynced();
    expect(gate.state().podCollectionSyncedAt).toBe(at);
    expect(gate.isPodCollectionSynced()).toBe(true);
  });
});
