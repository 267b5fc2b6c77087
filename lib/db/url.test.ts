import path from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_DATABASE_FILE, databaseFile } from "./url";

describe("databaseFile", () => {
  it("defaults to the git-ignored state directory", () => {
    expect(databaseFile({})).toBe(path.resolve(DEFAULT_DATABASE_FILE));
  });
  it("accepts file: URLs and bare paths", () => {
    expect(databaseFile({ DATABASE_URL: "file:/tmp/x.db" })).toBe("/tmp/x.db");
    expect(databaseFile({ DATABASE_URL: "./data/y.db" })).toBe(path.resolve("data/y.db"));
  });
  it("rejects URLs it cannot honour", () => {
    expect(() => databaseFile({ DATABASE_URL: "file:/tmp/x.db?mode=ro" })).toThrow(/must name a SQLite file/);
  });
});
