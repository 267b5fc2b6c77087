// How many live streams the dashboard holds open: at most `perActor` for one session or
// person (a browser holds one per tab shown; hidden tabs close theirs) and `total` for the
// process, so nobody can open streams until the process runs out of sockets or memory.

export interface StreamLimitOptions {
  perActor: number;
  total: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimitOptions = { perActor: 8, total: 500 };

export type StreamSlot = { ok: true; release: () => void } | { ok: false; error: string };

export class StreamLimits {
  private readonly open = new Map<string, number>();
  private count = 0;

  constructor(private readonly options: StreamLimitOptions = DEFAULT_STREAM_LIMITS) {}

  /** A slot for one more stream of `actor` (a key per session or person), or why not. */
  acquire(actor: string): StreamSlot {
    const mine = this.open.get(actor) ?? 0;
    if (mine >= this.options.perActor) {
      return {
        ok: false,
        error: `too many live streams open for you (${mine}): close some tabs of the dashboard`,
      };
    }
    if (this.count >= this.options.total) {
      return {
        ok: false,
        error: `the dashboard holds its most live streams (${this.count}): try again later`,
      };
    }
    this.open.set(actor, mine + 1);
    this.count++;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.count--;
        const left = (this.open.get(actor) ?? 1) - 1;
        if (left > 0) this.open.set(actor, left);
        else this.open.delete(actor);
      },
    };
  }

  /** Streams open now: of one actor, or in total. */
  size(actor?: string): number {
    return actor === undefined ? this.count : (this.open.get(actor) ?? 0);
  }
}
