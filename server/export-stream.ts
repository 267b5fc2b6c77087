// A download made of many rows (the audit export) as a stream with backpressure: rows are read
// from their source only when the reader has taken what was already encoded, so a slow client
// holds one batch in memory, not the whole table, and a client that goes away stops the reads.

export interface ExportFormat<Row> {
  head: string;
  /** One row's text; `first` for the first row (JSON needs no comma before it). */
  row(row: Row, first: boolean): string;
  tail: string;
}

/** Rows of `source` encoded in chunks of up to `batchRows` rows, one chunk per pull. */
export function exportStream<Row>(
  source: AsyncIterable<Row>,
  format: ExportFormat<Row>,
  batchRows = 200,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const rows = source[Symbol.asyncIterator]();
  let first = true;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controller.enqueue(encoder.encode(format.head));
      },
      async pull(controller) {
        let text = "";
        for (let i = 0; i < batchRows; i++) {
          const next = await rows.next();
          if (next.done) {
            controller.enqueue(encoder.encode(text + format.tail));
            controller.close();
            return;
          }
          text += format.row(next.value, first);
          first = false;
        }
        controller.enqueue(encoder.encode(text));
      },
      async cancel() {
        await rows.return?.();
      },
    },
    // One encoded chunk waits for the reader; the next is read from the source only once it is taken.
    { highWaterMark: 1 },
  );
}
