import { describe, expect, it } from "vitest";
import { exportStream, type ExportFormat } from "./export-stream";

const json: ExportFormat<{ id: number }> = {
  head: "[\n",
  row: (row, first) => `${first ? "" : ",\n"}${JSON.stringify(row)}`,
  tail: "\n]\n",
};

/** 10,000 rows, counting how many were read and whether the source was closed. */
function source() {
  const seen = { read: 0, closed: false };
  async function* rows() {
    try {
      for (let id = 1; id <= 10_000; id++) {
        seen.read++;
        yield { id };
      }
    } finally {
      seen.closed = true;
    }
  }
  return { seen, rows: rows() };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe("exportStream", () => {
  it("reads rows only as fast as the reader takes chunks", async () => {
    const { seen, rows } = source();
    const reader = exportStream(rows, json, 100).getReader();
    await settle();
    // Nothing pulled yet beyond what the queue holds: the head and one batch.
    expect(seen.read).toBeLessThanOrEqual(100);
    await reader.read(); // head
    await reader.read(); // first batch
    await settle();
    expect(seen.read).toBeLessThanOrEqual(200);
    await reader.cancel();
    expect(seen.closed).toBe(true);
    expect(seen.read).toBeLessThan(10_000);
  });

  it("produces the whole document when read to the end", async () => {
    const { seen, rows } = source();
    const text = await new Response(exportStream(rows, json, 333)).text();
    const parsed = JSON.parse(text) as { id: number }[];
    expect(parsed).toHaveLength(10_000);
    expect(parsed.at(-1)).toEqual({ id: 10_000 });
    expect(seen.closed).toBe(true);
  });

  it("writes head and tail around no rows", async () => {
    async function* none(): AsyncGenerator<{ id: number }> {}
    expect(await new Response(exportStream(none(), json)).text()).toBe("[\n\n]\n");
  });
});
