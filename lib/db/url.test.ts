import path from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_DATABASE_FILE, databaseFile, describeStore, redactUrl, storeLocation } from "./url";

describe("storeLocation", () => {
  it("defaults to the git-ignored SQLite file", () => {
    expect(storeLocation({})).toEqual({ provider: "sqlite", file: path.resolve(DEFAULT_DATABASE_FILE) });
    expect(databaseFile({})).toBe(path.resolve(DEFAULT_DATABASE_FILE));
  });
  it("accepts file: URLs and bare paths", () => {
    expect(databaseFile({ DATABASE_URL: "file:/tmp/x.db" })).toBe("/tmp/x.db");
    expect(databaseFile({ DATABASE_URL: "./data/y.db" })).toBe(path.resolve("data/y.db"));
  });
  it("switches to PostgreSQL for postgresql:// and postgres:// URLs", () => {
    for (const url of ["postgresql://u:p@db:5432/fleetdeck", "postgres://u@db/fleetdeck?sslmode=require"]) {
      expect(storeLocation({ DATABASE_URL: url })).toEqual({ provider: "postgresql", url });
    }
    expect(() => databaseFile({ DATABASE_URL: "postgresql://u@db/x" })).toThrow(
      /PostgreSQL server, not a file/,
    );
  });
  it("rejects URLs it cannot honour, without echoing a password", () => {
    expect(() => databaseFile({ DATABASE_URL: "file:/tmp/x.db?mode=ro" })).toThrow(/must name a SQLite file/);
    expect(() => storeLocation({ DATABASE_URL: "mysql://u:secret@db/x" })).toThrow(
      "mysql://u:[redacted]@db/x",
    );
    expect(() => storeLocation({ DATABASE_URL: "postgresql://u:secret@db" })).toThrow(/host and database/);
    expect(() => storeLocation({ DATABASE_URL: "postgresql://u:secret@db" })).not.toThrow(/secret/);
  });
  it("describes a server without its password", () => {
    expect(redactUrl("postgresql://fleet:s3cret@db:5432/fleetdeck")).toBe(
      "postgresql://fleet:[redacted]@db:5432/fleetdeck",
    );
    expect(describeStore({ provider: "postgresql", url: "postgresql://fleet:s3cret@db/f" })).not.toContain(
      "s3cret",
    );
  });
  it("describes a server without the credentials of its query (issue 22: /login showed ?password=)", () => {
    const url = "postgresql://fleet@db:5432/fleetdeck?sslmode=require&password=s3cret&sslpassword=k3y";
    expect(describeStore({ provider: "postgresql", url })).toBe(
      "postgresql://fleet@db:5432/fleetdeck?sslmode=require&password=[redacted]&sslpassword=[redacted]",
    );
    expect(() => storeLocation({ DATABASE_URL: "postgresql://u@db?password=s3cret" })).not.toThrow(/s3cret/);
  });
});
