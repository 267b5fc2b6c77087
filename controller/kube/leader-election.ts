// Leader election on a coordination.k8s.io Lease with client-go's timing by default: a 15 s
// lease, renewed every 2 s, given up when it could not be renewed for 10 s. Every write carries the
// resourceVersion it read, so two candidates can never both win. The lease is released on
// shutdown so a standby takes over at its next try instead of waiting for expiry.
import type { Logger } from "../log";
import { describeKubeError, isConflict, isNotFound, resourcePath, type KubeClient } from "./client";
import { Informer, type KubeObject } from "./informer";
import { leaderMetrics } from "./metrics";

interface Lease extends KubeObject {
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

/** coordination.k8s.io MicroTime: RFC 3339 with six fractional digits. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

export interface LeaderElectionOptions {
  namespace: string;
  /** Lease name. */
  name: string;
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  onStartedLeading: () => void | Promise<void>;
  onStoppedLeading: () => void | Promise<void>;
  onNewLeader?: (identity: string) => void;
}

export class LeaderElector {
  private leading = false;
  private stopped = false;
  private observedHolder = "";
  private observedRecord = "";
  /** Our clock when we last saw the lease record change (client-go's observedTime). */
  private observedAt = 0;
  /** When the lease we saw was last renewed: its renewTime, or observedAt if that is not trustworthy. */
  private renewedAt = 0;
  private lastRenewal = 0;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly leasePath: string;
  /** Watches the lease, so a standby reacts to a release at once rather than at its next try. */
  private readonly leaseWatch: Informer;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;

  constructor(
    private readonly client: KubeClient,
    private readonly opts: LeaderElectionOptions,
    private readonly log: Logger,
  ) {
    this.leasePath = resourcePath({
      group: "coordination.k8s.io",
      version: "v1",
      resource: "leases",
      namespace: opts.namespace,
      name: opts.name,
    });
    this.leaseDurationMs = opts.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = opts.retryPeriodMs ?? 2_000;
    if (this.renewDeadlineMs >= this.leaseDurationMs)
      throw new Error("renew deadline must be shorter than the lease duration");
    this.leaseWatch = new Informer(
      client,
      {
        name: `lease-${opts.name}`,
        path: `/apis/coordination.k8s.io/v1/namespaces/${opts.namespace}/leases`,
        fieldSelector: `metadata.name=${opts.name}`,
      },
      log,
    );
    const nudge = () => {
      if (!this.leading) this.wake?.();
    };
    this.leaseWatch.on("update", nudge).on("delete", nudge);
  }

  isLeader(): boolean {
    return this.leading;
  }

  currentLeader(): string {
    return this.observedHolder;
  }

  start(): void {
    if (this.loop) return;
    leaderMetrics.isLeader.set({ name: this.opts.name }, 0);
    this.leaseWatch.start();
    this.loop = this.run();
  }

  /** Stops trying; when leading, stops the leader's work and releases the lease. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    await this.leaseWatch.stop();
    if (this.leading) {
      await this.setLeading(false);
      await this.release();
    }
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let delay = this.retryPeriodMs;
      try {
        const acquired = await this.tryAcquireOrRenew();
        if (acquired) {
          this.lastRenewal = Date.now();
          if (!this.leading) await this.setLeading(true);
        } else if (this.leading) {
          // Someone else holds the lease now (we lost a race or our renewals lagged).
          await this.setLeading(false);
        }
        if (!this.leading) delay = this.untilExpiry();
      } catch (error) {
        this.log.warn({ lease: this.opts.name, err: describeKubeError(error) }, "lease update failed");
      }
      if (this.leading && Date.now() - this.lastRenewal > this.renewDeadlineMs) {
        this.log.error(
          { lease: this.opts.name, renewDeadlineMs: this.renewDeadlineMs },
          "could not renew the lease in time; stepping down",
        );
        await this.setLeading(false);
      }
      await this.sleep(delay);
    }
  }

  /**
   * A standby tries again when the lease it saw will have expired (or after the retry period,
   * whichever is sooner), so a takeover does not wait up to one more retry period.
   */
  private untilExpiry(): number {
    if (!this.observedHolder) return this.retryPeriodMs;
    const expiresIn = this.renewedAt + this.leaseDurationMs - Date.now();
    return Math.max(10, Math.min(this.retryPeriodMs, expiresIn + 5));
  }

  private sleep(ms: number): Promise<void> {
    // stop() may have come while a try or the leader's start-up was in flight: its wake-up
    // found no sleep to end, so none may begin (a clean handover would wait a retry period).
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async setLeading(leading: boolean): Promise<void> {
    if (this.leading === leading) return;
    this.leading = leading;
    leaderMetrics.isLeader.set({ name: this.opts.name }, leading ? 1 : 0);
    leaderMetrics.transitions.inc({ name: this.opts.name, to: leading ? "leader" : "follower" });
    this.log.info(
      { lease: this.opts.name, identity: this.opts.identity },
      leading ? "became leader" : "stopped leading",
    );
    try {
      await (leading ? this.opts.onStartedLeading() : this.opts.onStoppedLeading());
    } catch (error) {
      this.log.error(
        { err: (error as Error).message },
        leading ? "starting leader work failed" : "stopping leader work failed",
      );
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date();
    const { namespace, name, identity } = this.opts;
    let lease: Lease;
    try {
      lease = await this.client.get<Lease>(this.leasePath);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await this.client.create(
        resourcePath({ group: "coordination.k8s.io", version: "v1", resource: "leases", namespace }),
        {
          apiVersion: "coordination.k8s.io/v1",
          kind: "Lease",
          metadata: { name, namespace },
          spec: {
            holderIdentity: identity,
            leaseDurationSeconds: this.leaseDurationSeconds(),
            acquireTime: microTime(now.getTime()),
            renewTime: microTime(now.getTime()),
            leaseTransitions: 0,
          },
        },
      );
      this.observe(identity, `${identity}@${now.toISOString()}`);
      return true;
    }

    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? "";
    this.observe(holder, `${holder}@${String(spec.renewTime)}@${lease.metadata?.resourceVersion}`);
    this.renewedAt = this.trustedRenewTime(spec.renewTime);
    const heldByOther = holder !== "" && holder !== identity;
    if (heldByOther && this.renewedAt + this.leaseDurationMs > Date.now()) return false;

    const transitions = (spec.leaseTransitions ?? 0) + (holder === identity ? 0 : 1);
    const updated: Lease = {
      ...lease,
      spec: {
        ...spec,
        holderIdentity: identity,
        leaseDurationSeconds: this.leaseDurationSeconds(),
        acquireTime: holder === identity && spec.acquireTime ? spec.acquireTime : microTime(now.getTime()),
        renewTime: microTime(now.getTime()),
        leaseTransitions: transitions,
      },
    };
    try {
      // replace carries metadata.resourceVersion: a concurrent writer makes this a 409.
      await this.client.replace(this.leasePath, updated);
    } catch (error) {
      if (isConflict(error)) return false;
      throw error;
    }
    this.observe(identity, `${identity}@${now.toISOString()}`);
    return true;
  }

  /**
   * client-go measures expiry from when it observed the record change (observedTime), which
   * is safe against clock skew but lets a takeover lag up to one retry period behind. The
   * holder's renewTime is used instead when it agrees with our clock (not in the future, not
   * more than two retry periods before we saw it); otherwise observedTime, as client-go.
   * Either way a holder is never replaced before its lease is over on its own renew deadline.
   */
  private trustedRenewTime(renewTime: unknown): number {
    const renewed = renewTime ? new Date(renewTime as string | Date).getTime() : Number.NaN;
    const now = Date.now();
    if (
      Number.isFinite(renewed) &&
      renewed <= now + 500 &&
      renewed >= this.observedAt - 2 * this.retryPeriodMs
    ) {
      return Math.min(renewed, this.observedAt);
    }
    return this.observedAt;
  }

  private observe(holder: string, record: string): void {
    if (record !== this.observedRecord) {
      this.observedRecord = record;
      this.observedAt = Date.now();
    }
    if (holder !== this.observedHolder) {
      this.observedHolder = holder;
      if (holder) this.opts.onNewLeader?.(holder);
    }
  }

  /** The Lease's field is whole seconds: a fractional lease (tests) is rounded up. */
  private leaseDurationSeconds(): number {
    return Math.max(1, Math.ceil(this.leaseDurationMs / 1000));
  }

  /** client-go's ReleaseOnCancel: clear the holder so a standby acquires at its next try. */
  private async release(): Promise<void> {
    try {
      const lease = await this.client.get<Lease>(this.leasePath);
      if (lease.spec?.holderIdentity !== this.opts.identity) return;
      await this.client.replace(this.leasePath, {
        ...lease,
        spec: {
          ...lease.spec,
          holderIdentity: "",
          leaseDurationSeconds: 1,
          renewTime: microTime(Date.now()),
        },
      });
      this.log.info({ lease: this.opts.name }, "released the lease");
    } catch (error) {
      this.log.warn({ lease: this.opts.name, err: describeKubeError(error) }, "could not release the lease");
    }
  }
}
