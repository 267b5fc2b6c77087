// The spot commands' one write (the spot-disabled-until annotation) never happens once the
// command has timed out: the consumer has already recorded it as rejected.
import pino from "pino";
import { describe, expect, it } from "vitest";
import { SPOT_DISABLED_UNTIL_ANNOTATION, SPOT_ENABLED_LABEL, SPOT_ENABLED_VALUE } from "../../../lib/spot";
import type { CommandContext } from "../../commands/registry";
import { disableSpotHandler, enableSpotHandler } from "./commands";
import type { WorkloadConfigCache, WorkloadRef } from "./workload-config";
import type { WorkloadPatcher } from "./workload-patcher";

function slowPatcher() {
  const writes: { ref: WorkloadRef; until: number | null }[] = [];
  let release = () => {};
  const hold = new Promise<void>((resolve) => (release = resolve));
  const patcher = {
    read: async () => {
      await hold;
      return {
        metadata: {
          labels: { [SPOT_ENABLED_LABEL]: SPOT_ENABLED_VALUE },
          annotations: { [SPOT_DISABLED_UNTIL_ANNOTATION]: "2099-01-01T00:00:00Z" },
        },
      };
    },
    setDisabledUntil: async (ref: WorkloadRef, until: number | null) => void writes.push({ ref, until }),
  } as unknown as WorkloadPatcher;
  return { patcher, writes, release };
}

const ctx = (signal: AbortSignal): CommandContext => ({
  id: 1,
  kind: "disable-spot",
  target: "shop/web",
  actor: "alice",
  reason: null,
  source: "dashboard",
  log: pino({ level: "silent" }),
  signal,
});

describe("spot commands after a timeout", () => {
  it("enable-spot and disable-spot write nothing once their signal is aborted", async () => {
    const workloads = { clearLocal: () => {} } as unknown as WorkloadConfigCache;
    for (const kind of ["enable", "disable"] as const) {
      const { patcher, writes, release } = slowPatcher();
      const abort = new AbortController();
      const result =
        kind === "enable"
          ? enableSpotHandler(patcher, workloads)({ kind: "Deployment" }, ctx(abort.signal))
          : disableSpotHandler(patcher)({ kind: "Deployment", minutes: 5 }, ctx(abort.signal));
      abort.abort();
      release();
      await expect(result, kind).rejects.toThrow(/aborted/i);
      expect(writes, kind).toEqual([]);
    }
  });

  it("write when not aborted (the same fakes, so the refusal above is the signal's doing)", async () => {
    const { patcher, writes, release } = slowPatcher();
    release();
    const outcome = await disableSpotHandler(patcher)(
      { kind: "Deployment", minutes: 5 },
      ctx(new AbortController().signal),
    );
    expect(outcome.status).toBe("applied");
    expect(writes).toHaveLength(1);
  });
});
