// The fleet driver's lease on the real store (the run's: a SQLite file, or PostgreSQL in the
// PostgreSQL pass), each candidate with its own fake clock: one leader at a time, a standby
// that takes over only after a whole lease duration without a renewal on its own clock, a
// deposed leader that finds out at its next renewal, a release taken at once, and two
// candidates racing for an expired lease of which exactly one wins.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../lib/db/open";
import { createTestDatabase } from "../testing/database";
import { StoreLease } from "./lease";

const LEASE = 15_000;

function candidate(db: Database, identity: string, name: string) {
  const clock = { now: 1_000_000 };
  const log: string[] = [];
  const lease = new StoreLease(db, {
    name,
    identity,
    leaseDurationMs: LEASE,
    renewDeadlineMs: 10_000,
    now: () => clock.now,
    onStartedLeading: () => void log.push("started"),
    onStoppedLeading: () => void log.push("stopped"),
  });
  return { lease, clock, log, advance: (ms: number) => (clock.now += ms) };
}

describe("the fleet driver's lease in the store", () => {
  let db: Database;
  beforeAll(async () => {
    ({ db } = await createTestDatabase("lease"));
  });
  afterAll(() => db?.$disconnect());

  it("one leader; the standby takes over only after a lease duration without renewals, by its own clock", async () => {
    const a = candidate(db, "driver-a", "takeover");
    const b = candidate(db, "driver-b", "takeover");
    expect(await a.lease.try()).toBe(true);
    expect(await b.lease.try()).toBe(false);
    // a renews every 2 s: b never takes over, however long it waits.
    for (let i = 0; i < 15; i++) {
      a.advance(2_000);
      b.advance(2_000);
      expect(await a.lease.try()).toBe(true);
      expect(await b.lease.try()).toBe(false);
    }
    // a stops renewing (a crash). b's clock runs 14 s: not yet; 15 s: it takes over.
    b.advance(14_000);
    expect(await b.lease.try()).toBe(false);
    b.advance(1_000);
    expect(await b.lease.try()).toBe(true);
    expect(b.log).toEqual(["started"]);
    const row = await db.fleetDriverLease.findUniqueOrThrow({ where: { name: "takeover" } });
    expect(row).toMatchObject({ holder: "driver-b", transitions: 1 });
    // a comes back: its next renewal fails, and it stops leading.
    expect(await a.lease.try()).toBe(false);
    expect(a.log).toEqual(["started", "stopped"]);
    expect(b.lease.isLeader()).toBe(true);
  });

  it("a clock far ahead or behind changes nothing: only the lease's version counts", async () => {
    const a = candidate(db, "driver-a", "skew");
    const b = candidate(db, "driver-b", "skew");
    a.clock.now = 5_000_000_000; // hours ahead of b
    expect(await a.lease.try()).toBe(true);
    b.clock.now = 0;
    for (let i = 0; i < 10; i++) {
      a.advance(2_000);
      b.advance(2_000);
      await a.lease.try();
      expect(await b.lease.try()).toBe(false);
    }
  });

  it("a released lease is taken at the standby's next try", async () => {
    const a = candidate(db, "driver-a", "release");
    const b = candidate(db, "driver-b", "release");
    expect(await a.lease.try()).toBe(true);
    expect(await b.lease.try()).toBe(false);
    await a.lease.release();
    expect(a.lease.isLeader()).toBe(false);
    b.advance(2_000);
    expect(await b.lease.try()).toBe(true);
  });

  it("of two candidates racing for an expired lease, exactly one wins", async () => {
    expect(await candidate(db, "driver-first", "race").lease.try()).toBe(true);
    for (let round = 0; round < 5; round++) {
      const contenders = [candidate(db, `x${round}`, "race"), candidate(db, `y${round}`, "race")];
      await Promise.all(contenders.map((c) => c.lease.try()));
      for (const c of contenders) c.advance(LEASE);
      const won = await Promise.all(contenders.map((c) => c.lease.try()));
      // The winner renews no more: the next round's contenders find it expired in turn.
      expect(won.filter(Boolean)).toHaveLength(1);
    }
  });
});
