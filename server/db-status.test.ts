// What /login (and every page) shows when the store is down: the database URL and the driver's
// message, never a credential either carries (issue 22: a DATABASE_URL with ?password= was shown).
import { afterEach, describe, expect, it, vi } from "vitest";

vi.mock("server-only", () => ({}));
const openDb = vi.fn<() => Promise<never>>();
vi.mock("./db", () => ({ openDb: () => openDb() }));

const URL_WITH_QUERY_PASSWORD =
  "postgresql://fleetdeck@127.0.0.1:1/fleetdeck?sslmode=disable&password=s3cret-pw";

describe("databaseStatus", () => {
  const before = process.env.DATABASE_URL;
  afterEach(() => {
    process.env.DATABASE_URL = before;
  });

  it("shows an unreachable PostgreSQL without the password of its URL's query, nor one its error quotes", async () => {
    process.env.DATABASE_URL = URL_WITH_QUERY_PASSWORD;
    openDb.mockRejectedValueOnce(
      new Error(`connect ECONNREFUSED 127.0.0.1:1 (while connecting to ${URL_WITH_QUERY_PASSWORD})`),
    );
    const { databaseStatus } = await import("./db-status");
    const status = await databaseStatus();
    expect(status).toMatchObject({
      ok: false,
      title: "The database is unreachable",
      store: "postgresql://fleetdeck@127.0.0.1:1/fleetdeck?sslmode=disable&password=[redacted]",
    });
    expect(JSON.stringify(status)).not.toContain("s3cret-pw");
    expect(!status.ok && status.message).toContain("ECONNREFUSED 127.0.0.1:1");
  });

  it("redacts the message of a store that cannot be opened, too", async () => {
    process.env.DATABASE_URL = "postgresql://fleetdeck:s3cret-pw@db:5432/fleetdeck";
    openDb.mockRejectedValueOnce(new Error("invalid connection string postgresql://fleetdeck:s3cret-pw@db"));
    const { databaseStatus } = await import("./db-status");
    const status = await databaseStatus();
    expect(status).toMatchObject({ ok: false, title: "The database cannot be opened" });
    expect(JSON.stringify(status)).not.toContain("s3cret-pw");
  });
});
