// The doorbell on a real folder: a ring is heard, an unrelated file in the folder is not.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ringFile, watchFile } from "./doorbell";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "doorbell-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("the command doorbell of a SQLite store", () => {
  it("is heard when rung for this database, not for another file or another database", async () => {
    const file = path.join(dir, "fleetdeck.db");
    let rings = 0;
    const stop = watchFile(file, () => rings++);
    try {
      fs.writeFileSync(file, "");
      fs.writeFileSync(`${file}-wal`, "");
      ringFile(path.join(dir, "other.db"));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(rings).toBe(0);
      ringFile(file);
      const deadline = Date.now() + 3_000;
      while (rings === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(rings).toBeGreaterThan(0);
    } finally {
      stop();
    }
  });

  it("never throws when the folder is gone", () => {
    expect(() => ringFile(path.join(dir, "missing", "x.db"))).not.toThrow();
  });
});
