// Leader election for the fleet driver, in the store: the hub has no Kubernetes of its own to
// hold a Lease, and the store is what every replica shares (SQLite or PostgreSQL alike). One
// FleetDriverLease row; client-go's rules and timing (a 15 s lease, renewed every 2 s, given up
// when not renewed for 10 s) with client-go's care about clocks: a candidate takes the lease
// over only after seeing its version unchanged for a whole lease duration on its OWN clock, so
// no replica's clock is compared with another's. Every write is guarded by the version it read,
// so two candidates never both win; the holder releases the lease on shutdown, and a standby
// takes it at its next try. storeElector() makes it the elector of a Runner (controller/kube/
// runner.ts): the runner's leader-only periodic runnables run while it leads.
import type { ElectorFactory, Elector } from "../controller/kube/runner";
import { Periodic } from "../controller/kube/periodic";
import { withRetry, type Database } from "../lib/db/open";
import type { Logger } from "./log";

export interface LeaseOptions {
  name: string;
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  onStartedLeading: () => void | Promise<void>;
  onStoppedLeading: () => void | Promise<void>;
  onNewLeader?: (holder: string) => void;
  /** The clock (tests use a fake one). */
  now?: () => number;
}

/** How often try() should be called: client-go's retry period. */
export const LEASE_RETRY_MS = 2_000;

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === "P2002";

export class StoreLease {
  private leading = false;
  /** The version this process last wrote while leading. */
  private heldVersion = -1;
  private lastRenewal = 0;
  private observedVersion = -1;
  private observedAt = 0;
  private observedHolder = "";
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly now: () => number;

  constructor(
    private readonly db: Database,
    private readonly opts: LeaseOptions,
  ) {
    this.leaseDurationMs = opts.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    if (this.renewDeadlineMs >= this.leaseDurationMs)
      throw new Error("renew deadline must be shorter than the lease duration");
    this.now = opts.now ?? Date.now;
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** The holder this process last saw ("" when released, or none seen yet). */
  currentLeader(): string {
    return this.leading ? this.opts.identity : this.observedHolder;
  }

  /** One round: renew while leading, else acquire when free or expired. Call every LEASE_RETRY_MS. */
  async try(): Promise<boolean> {
    const now = this.now();
    try {
      if (this.leading) await this.renew(now);
      else await this.acquire(now);
    } catch (error) {
      // The store is unreachable: a leader that cannot renew for its deadline stops leading, so
      // it never acts on a lease another replica may have taken meanwhile.
      if (this.leading && now - this.lastRenewal >= this.renewDeadlineMs) await this.lose();
      throw error;
    }
    return this.leading;
  }

  private async renew(now: number): Promise<void> {
    const { count } = await withRetry(() =>
      this.db.fleetDriverLease.updateMany({
        where: { name: this.opts.name, holder: this.opts.identity, version: this.heldVersion },
        data: { version: this.heldVersion + 1, renewedAt: new Date(now), durationMs: this.leaseDurationMs },
      }),
    );
    if (count === 1) {
      this.heldVersion += 1;
      this.lastRenewal = now;
    } else {
      await this.lose(); // taken over: someone saw it expire
    }
  }

  private async acquire(now: number): Promise<void> {
    const row = await this.db.fleetDriverLease.findUnique({ where: { name: this.opts.name } });
    if (!row) {
      try {
        await this.db.fleetDriverLease.create({
          data: {
            name: this.opts.name,
            holder: this.opts.identity,
            version: 0,
            durationMs: this.leaseDurationMs,
            acquiredAt: new Date(now),
            renewedAt: new Date(now),
          },
        });
        return this.won(0, now);
      } catch (error) {
        if (isUniqueViolation(error)) return; // another candidate created it first
        throw error;
      }
    }
    if (row.version !== this.observedVersion || row.holder !== this.observedHolder) {
      if (row.holder !== this.observedHolder && row.holder !== "") this.opts.onNewLeader?.(row.holder);
      this.observedVersion = row.version;
      this.observedHolder = row.holder;
      this.observedAt = now;
    }
    // Free (released), ours from a past life (the same identity restarted), or not renewed for a
    // whole lease duration by our clock: take it, guarded by the version we saw.
    const expired = now - this.observedAt >= row.durationMs;
    if (row.holder !== "" && row.holder !== this.opts.identity && !expired) return;
    const { count } = await this.db.fleetDriverLease.updateMany({
      where: { name: this.opts.name, version: row.version },
      data: {
        holder: this.opts.identity,
        version: row.version + 1,
        durationMs: this.leaseDurationMs,
        acquiredAt: new Date(now),
        renewedAt: new Date(now),
        transitions: row.holder === this.opts.identity ? row.transitions : row.transitions + 1,
      },
    });
    if (count === 1) await this.won(row.version + 1, now);
  }

  private async won(version: number, now: number): Promise<void> {
    this.leading = true;
    this.heldVersion = version;
    this.lastRenewal = now;
    this.observedHolder = this.opts.identity;
    await this.opts.onStartedLeading();
  }

  private async lose(): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    this.observedVersion = -1;
    await this.opts.onStoppedLeading();
  }

  /** Gives the lease up (shutdown), so a standby takes over at its next try. */
  async release(): Promise<void> {
    if (!this.leading) return;
    await this.lose();
    await this.db.fleetDriverLease
      .updateMany({
        where: { name: this.opts.name, holder: this.opts.identity, version: this.heldVersion },
        data: { holder: "", version: this.heldVersion + 1 },
      })
      .catch(() => undefined);
  }
}

/**
 * A Runner's elector on the store's lease `settings.name`: a round every LEASE_RETRY_MS (the
 * first at once), on the Runner's own periodic runnable; stop() stops the rounds, then stops
 * leading and releases the lease.
 */
export function storeElector(
  db: Database,
  settings: Omit<LeaseOptions, "onStartedLeading" | "onStoppedLeading" | "onNewLeader">,
  log: Logger,
): ElectorFactory {
  return (callbacks): Elector => {
    const lease = new StoreLease(db, { ...settings, ...callbacks });
    const rounds = new Periodic("lease", LEASE_RETRY_MS, () => lease.try(), { initialRun: true }, log);
    return {
      start: () => rounds.start(),
      stop: async () => {
        await rounds.stop();
        await lease.release();
      },
      isLeader: () => lease.isLeader(),
      currentLeader: () => lease.currentLeader(),
    };
  };
}
