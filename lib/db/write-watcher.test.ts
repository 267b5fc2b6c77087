// The write watcher on a real SQLite file in WAL mode, written by another connection.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { watchWrites } from "./write-watcher";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "write-watcher-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const until = async (condition: () => boolean, timeoutMs = 3_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

describe("watchWrites", () => {
  it("tells when another connection commits, not when an unrelated file in the folder changes", async () => {
    const file = path.join(dir, "store.db");
    const writer = new Database(file);
    writer.pragma("journal_mode = WAL");
    writer.exec("CREATE TABLE t (x INTEGER)");
    let writes = 0;
    const stop = watchWrites(file, () => writes++, 0);
    try {
      fs.writeFileSync(path.join(dir, "other.txt"), "not the database");
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(writes).toBe(0);
      writer.prepare("INSERT INTO t VALUES (1)").run();
      await until(() => writes > 0);
    } finally {
      stop();
      writer.close();
    }
  });
});
