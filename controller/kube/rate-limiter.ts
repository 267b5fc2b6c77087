// client-go's DefaultControllerRateLimiter: the larger of a per-item exponential backoff
// (5 ms doubling to 1000 s) and an overall token bucket (10 qps, burst 100).

export interface RateLimiterOptions {
  baseDelayMs?: number;
  maxDelayMs?: number;
  qps?: number;
  burst?: number;
}

export class ItemExponentialLimiter {
  private readonly failures = new Map<string, number>();
  constructor(
    private readonly baseDelayMs = 5,
    private readonly maxDelayMs = 1_000_000,
  ) {}

  when(key: string): number {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    // 2^failures overflows nothing here, but cap the exponent so the arithmetic stays exact.
    return Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(failures, 40));
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  forget(key: string): void {
    this.failures.delete(key);
  }
}

/** A token bucket handing out reservations: the delay until the caller's token is available. */
export class TokenBucketLimiter {
  private tokens: number;
  private last: number;
  constructor(
    private readonly qps = 10,
    private readonly burst = 100,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  when(): number {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.qps) * 1000);
  }
}

export class ControllerRateLimiter {
  readonly items: ItemExponentialLimiter;
  private readonly bucket: TokenBucketLimiter;

  constructor(options: RateLimiterOptions = {}, now?: () => number) {
    this.items = new ItemExponentialLimiter(options.baseDelayMs ?? 5, options.maxDelayMs ?? 1_000_000);
    this.bucket = new TokenBucketLimiter(options.qps ?? 10, options.burst ?? 100, now);
  }

  when(key: string): number {
    return Math.max(this.items.when(key), this.bucket.when());
  }

  numRequeues(key: string): number {
    return this.items.numRequeues(key);
  }

  forget(key: string): void {
    this.items.forget(key);
  }
}
