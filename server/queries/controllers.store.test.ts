// The controllers that reported, as heartbeat rows reach the browser (./dto.ts: dates as text).
import { describe, expect, it } from "vitest";
import { addHeartbeat, queryStore, fullScope } from "@/test/query-store";
import { listControllers } from "./controllers";

const db = queryStore();
const all = () => fullScope(db());

describe("listControllers", () => {
  it("lists the 20 most recently seen, newest first, dates as ISO strings", async () => {
    const base = Date.parse("2026-12-01T10:00:00.000Z");
    for (let i = 0; i < 22; i++)
      await addHeartbeat(db(), i % 2 ? "uid-e" : "uid-w", `c-${String(i).padStart(2, "0")}`, {
        lastSeenAt: new Date(base + i * 1000),
        stoppedAt: i === 21 ? new Date(base + i * 1000) : null,
      });
    const rows = await listControllers(all());
    expect(rows).toHaveLength(20);
    expect(rows.map((r) => r.controllerId)).toEqual(
      Array.from({ length: 20 }, (_, i) => `c-${String(21 - i).padStart(2, "0")}`),
    );
    expect(rows[0]).toMatchObject({
      clusterId: "uid-e",
      lastSeenAt: "2026-12-01T10:00:21.000Z",
      stoppedAt: "2026-12-01T10:00:21.000Z",
      startedAt: "2026-12-01T09:59:21.000Z",
    });
    expect(rows[1]!.stoppedAt).toBeNull();
  });
});
