// Which change-feed rows a tail has delivered, when ids may commit out of order. On PostgreSQL
// a transaction takes its id when it inserts and commits later: a row with a lower id can
// appear after a higher one (SQLite commits one writer at a time, so it never does). Reading
// "id > last id seen" would skip such a row for good. The cursor reads from a watermark below
// which every id was delivered, delivers each row once, and steps over a missing id once it has
// been missing for `gapMs` (a rolled-back transaction leaves one for ever).

export interface FeedRow {
  id: number;
}

export class ChangeCursor {
  /** Every id up to here was delivered (or given up on). */
  private watermarkId: number;
  /** Ids above the watermark already delivered. */
  private readonly delivered = new Set<number>();
  private gapSince: number | undefined;

  constructor(
    start: number,
    private readonly gapMs = 5_000,
    /** Beyond this many ids waiting above a gap, the gap is given up on at once. */
    private readonly maxPending = 5_000,
  ) {
    this.watermarkId = start;
  }

  /** Read rows with id > this (and at most `limit()` of them). */
  get watermark(): number {
    return this.watermarkId;
  }

  limit(batch: number): number {
    return batch + this.delivered.size;
  }

  /** Takes a read's rows (ascending ids after the watermark); returns those not delivered yet. */
  take<R extends FeedRow>(rows: R[], now = Date.now()): R[] {
    const fresh = rows.filter((r) => r.id > this.watermarkId && !this.delivered.has(r.id));
    for (const r of fresh) this.delivered.add(r.id);
    this.advance();
    if (this.delivered.size === 0) {
      this.gapSince = undefined;
    } else {
      this.gapSince ??= now;
      if (now - this.gapSince >= this.gapMs || this.delivered.size > this.maxPending) {
        // Give up on the missing ids below the lowest delivered one.
        this.watermarkId = Math.min(...this.delivered) - 1;
        this.advance();
        this.gapSince = this.delivered.size > 0 ? now : undefined;
      }
    }
    return fresh;
  }

  private advance(): void {
    while (this.delivered.has(this.watermarkId + 1)) {
      this.watermarkId++;
      this.delivered.delete(this.watermarkId);
    }
  }
}
