import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { placeNewPod, rebalanceDecision, targetSplit, type PlacementSettings } from "./placement";

/** Admits `replicas` pods one after another (each sees the ones before it in flight). */
function admitSequentially(replicas: number, settings: PlacementSettings) {
  const counts = { spot: 0, onDemand: 0, inflightSpot: 0, inflightOnDemand: 0 };
  for (let i = 0; i < replicas; i++) {
    if (placeNewPod(counts, settings) === "spot") counts.inflightSpot++;
    else counts.inflightOnDemand++;
  }
  return { spot: counts.inflightSpot, onDemand: counts.inflightOnDemand };
}

describe("placement rule", () => {
  // Upstream's table of expected splits.
  it.each([
    { percentage: 60, minOnDemand: 2, replicas: 5, spot: 3, onDemand: 2 },
    { percentage: 60, minOnDemand: 2, replicas: 10, spot: 6, onDemand: 4 },
    { percentage: 90, minOnDemand: 2, replicas: 10, spot: 8, onDemand: 2 },
    { percentage: 100, minOnDemand: 2, replicas: 10, spot: 8, onDemand: 2 },
    { percentage: 70, minOnDemand: 0, replicas: 100, spot: 70, onDemand: 30 },
  ])(
    "$percentage %, min $minOnDemand, $replicas replicas → $spot spot / $onDemand on-demand",
    ({ percentage, minOnDemand, replicas, spot, onDemand }) => {
      const settings = { percentage, minOnDemand };
      expect(admitSequentially(replicas, settings)).toEqual({ spot, onDemand });
      expect(targetSplit(replicas, settings)).toEqual({ spot, onDemand });
      expect(rebalanceDecision(spot, onDemand, settings)).toBeNull();
    },
  );

  it("fills the on-demand minimum first", () => {
    const settings = { percentage: 100, minOnDemand: 2 };
    expect(placeNewPod({ spot: 0, onDemand: 0, inflightSpot: 0, inflightOnDemand: 0 }, settings)).toBe(
      "on-demand",
    );
    expect(placeNewPod({ spot: 0, onDemand: 1, inflightSpot: 0, inflightOnDemand: 0 }, settings)).toBe(
      "on-demand",
    );
    expect(placeNewPod({ spot: 0, onDemand: 1, inflightSpot: 0, inflightOnDemand: 1 }, settings)).toBe(
      "spot",
    );
  });

  it("counts in-flight admissions, so a burst of concurrent creations keeps the split", () => {
    const settings = { percentage: 50, minOnDemand: 0 };
    expect(placeNewPod({ spot: 1, onDemand: 1, inflightSpot: 1, inflightOnDemand: 0 }, settings)).toBe(
      "on-demand",
    );
  });

  it("matches the rebalancer's steady state for any settings (sequential admissions)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 0, max: 150 }),
        (percentage, minOnDemand, replicas) => {
          const settings = { percentage, minOnDemand };
          const split = admitSequentially(replicas, settings);
          expect(split).toEqual(targetSplit(replicas, settings));
          expect(rebalanceDecision(split.spot, split.onDemand, settings)).toBeNull();
        },
      ),
    );
  });
});

describe("rebalancer rule", () => {
  const settings = { percentage: 60, minOnDemand: 2 };

  it("evicts spot pods when below the on-demand minimum", () => {
    expect(rebalanceDecision(5, 1, settings)).toEqual({ evict: "spot", why: "below-min-on-demand" });
  });

  it("evicts spot pods above floor(total × percentage)", () => {
    // After a scale-down from 10 that left 5 spot pods: target 3 / 2.
    expect(rebalanceDecision(4, 2, settings)).toEqual({ evict: "spot", why: "excess-spot" });
  });

  it("evicts on-demand pods above max(total − desired spot, minimum)", () => {
    // After a fallback every pod is on-demand: 0 / 10 with a target of 6 / 4.
    expect(rebalanceDecision(0, 10, settings)).toEqual({ evict: "on-demand", why: "excess-on-demand" });
    expect(rebalanceDecision(5, 5, settings)).toEqual({ evict: "on-demand", why: "excess-on-demand" });
    expect(rebalanceDecision(6, 4, settings)).toBeNull();
  });

  it("converges to the target split by one eviction at a time, the replacement placed by the rule", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 40 }),
        (percentage, minOnDemand, spot0, onDemand0) => {
          const s = { percentage, minOnDemand };
          let spot = spot0;
          let onDemand = onDemand0;
          for (let step = 0; step <= spot0 + onDemand0 + 1; step++) {
            const decision = rebalanceDecision(spot, onDemand, s);
            if (!decision) break;
            if (decision.evict === "spot") spot--;
            else onDemand--;
            const replacement = placeNewPod({ spot, onDemand, inflightSpot: 0, inflightOnDemand: 0 }, s);
            if (replacement === "spot") spot++;
            else onDemand++;
          }
          expect(rebalanceDecision(spot, onDemand, s)).toBeNull();
          expect({ spot, onDemand }).toEqual(targetSplit(spot0 + onDemand0, s));
        },
      ),
    );
  });
});
