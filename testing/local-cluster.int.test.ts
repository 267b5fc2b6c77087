// cluster:up is idempotent and cluster:down leaves no process behind (its own cluster, so
// the run's shared cluster is not disturbed).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  clusterDown,
  clusterHandle,
  clusterStop,
  clusterUp,
  componentStatus,
  leftoverProcesses,
} from "./local-cluster";

const NAME = "fleetdeck-updown";

describe("local cluster lifecycle", () => {
  it("comes up once, is left alone by a second up, restarts warm, and goes down completely", async () => {
    await clusterDown(NAME);
    const first = await clusterUp(NAME);
    expect(first.action).toBe("created");
    const pids = componentStatus(first.handle).map((c) => c.pid);
    expect(componentStatus(first.handle).every((c) => c.running)).toBe(true);

    const second = await clusterUp(NAME);
    expect(second.action).toBe("running");
    expect(componentStatus(second.handle).map((c) => c.pid)).toEqual(pids);

    await clusterStop(NAME);
    expect(componentStatus(first.handle).some((c) => c.running)).toBe(false);
    const warm = await clusterUp(NAME);
    expect(warm.action).toBe("started");
    expect(componentStatus(warm.handle).every((c) => c.running)).toBe(true);

    // A cluster created with other kwok Stages is created again (kwok reads them once).
    fs.writeFileSync(path.join(warm.handle.dir, "fleetdeck-stages.sha256"), "stale");
    const again = await clusterUp(NAME);
    expect(again.action).toBe("created");

    const down = await clusterDown(NAME);
    expect(down.deleted).toBe(true);
    expect(down.leftovers).toEqual([]);
    expect(leftoverProcesses(clusterHandle(NAME))).toEqual([]);
    expect(componentStatus(clusterHandle(NAME)).some((c) => c.running)).toBe(false);
  }, 180_000);
});
