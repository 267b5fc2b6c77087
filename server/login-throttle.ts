// Sign-in attempts per client address, with exponential backoff: a few free failures, then each
// further failure doubles the wait before that address may try again (up to a cap). One address
// guessing tokens slows itself down and nobody else; a success forgets its address. The map is
// bounded (oldest addresses dropped first), so a flood of addresses cannot exhaust memory.

export interface ThrottleOptions {
  /** Failures allowed before any wait. */
  freeFailures: number;
  /** Wait after the first failure beyond the free ones; doubled by each further one. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** An address quiet for this long starts afresh. */
  forgetAfterMs: number;
  maxClients: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = {
  freeFailures: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
  maxClients: 10_000,
};

interface Record {
  failures: number;
  lastFailureAt: number;
  blockedUntil: number;
}

export class LoginThrottle {
  private readonly clients = new Map<string, Record>();

  constructor(
    private readonly options: ThrottleOptions = DEFAULT_THROTTLE,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds before `client` may try again; 0 when it may now. */
  retryAfterMs(client: string): number {
    const record = this.current(client);
    return record ? Math.max(0, record.blockedUntil - this.now()) : 0;
  }

  failed(client: string): void {
    const now = this.now();
    const record = this.current(client) ?? { failures: 0, lastFailureAt: now, blockedUntil: 0 };
    record.failures++;
    record.lastFailureAt = now;
    const beyond = record.failures - this.options.freeFailures;
    if (beyond > 0) {
      const delay = this.options.baseDelayMs * 2 ** Math.min(beyond - 1, 30);
      record.blockedUntil = now + Math.min(delay, this.options.maxDelayMs);
    }
    // Re-inserted last: the map's order is the order of last failure, oldest first.
    this.clients.delete(client);
    this.clients.set(client, record);
    while (this.clients.size > this.options.maxClients) {
      this.clients.delete(this.clients.keys().next().value!);
    }
  }

  succeeded(client: string): void {
    this.clients.delete(client);
  }

  private current(client: string): Record | undefined {
    const record = this.clients.get(client);
    if (record && this.now() - record.lastFailureAt > this.options.forgetAfterMs) {
      this.clients.delete(client);
      return undefined;
    }
    return record;
  }
}
