// Lock contention as Prisma reports it through the better-sqlite3 adapter.
import { describe, expect, it } from "vitest";
import { DatabaseBusyError, isTransientError, withRetry } from "./open";

/** What a write blocked past the busy timeout throws (P1008, the driver's SQLITE_BUSY in meta). */
const busy = () =>
  Object.assign(new Error("\nInvalid `db.command.updateMany()` invocation:\n\nOperation has timed out"), {
    code: "P1008",
    meta: { driverAdapterError: { cause: { originalCode: "SQLITE_BUSY", kind: "SocketTimeout" } } },
  });

describe("SQLite busy errors", () => {
  it("are recognised by the driver's code, not only by a message saying 'locked'", () => {
    expect(isTransientError(busy())).toBe(true);
    expect(isTransientError(new Error("SqliteError: database is locked"))).toBe(true);
    expect(isTransientError(Object.assign(new Error("Operation has timed out"), { code: "P1008" }))).toBe(
      false,
    );
    expect(isTransientError(new Error("UNIQUE constraint failed"))).toBe(false);
  });

  it("are retried, and after the last attempt reported as the database being locked", async () => {
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw busy();
      }, 3),
    ).rejects.toThrow(DatabaseBusyError);
    expect(calls).toBe(3);
    calls = 0;
    const value = await withRetry(async () => {
      if (++calls < 2) throw busy();
      return "written";
    });
    expect(value).toBe("written");
  });
});
