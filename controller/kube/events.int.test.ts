// A hot loop of identical events becomes one Event whose series counts them.
import { describe, expect, it } from "vitest";
import { EventsV1Api } from "@kubernetes/client-node";
import pino from "pino";
import { controllerClient, testNamespace } from "../../test/harness";
import { EventRecorder } from "./events";

const ns = testNamespace("events");

describe("EventRecorder", () => {
  it("folds 100 identical events into one Event series with the right count", async () => {
    const recorder = new EventRecorder(
      controllerClient(),
      { reportingController: "fleetdeck.dev/test", reportingInstance: "test-0", seriesFlushMs: 60_000 },
      pino({ level: "silent" }),
    );
    const regarding = { apiVersion: "v1", kind: "ConfigMap", name: "hot", namespace: ns.name };
    for (let i = 0; i < 100; i++) {
      recorder.record({
        regarding,
        type: "Warning",
        reason: "HotLoop",
        action: "Spin",
        note: "the same thing again",
      });
    }
    recorder.record({ regarding, type: "Normal", reason: "Other", action: "Spin", note: "something else" });
    await recorder.stop();

    const events = await ns.kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: ns.name });
    const hot = events.items.filter((e) => e.reason === "HotLoop");
    expect(hot).toHaveLength(1);
    expect(hot[0]!.series?.count).toBe(100);
    expect(hot[0]!.reportingController).toBe("fleetdeck.dev/test");
    expect(hot[0]!.reportingInstance).toBe("test-0");
    expect(hot[0]!.regarding?.name).toBe("hot");
    expect(events.items.filter((e) => e.reason === "Other")).toHaveLength(1);
  });
});
