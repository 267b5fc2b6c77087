// The counterpart of controller-runtime's Manager (pkg/manager): what every feature's setup
// registers on, and what main.ts starts and stops.
// - Runnables: started in the order added; leader-only ones while this process leads (leader
//   election on a Lease with LeaseDuration, RenewDeadline and RetryPeriod as settings), the
//   others all the time. Stopped in the reverse order.
// - Periodic runnables (every()): the one way the controller does something every interval.
// - The shared informer factory (its informers start before, and stop after, every runnable)
//   and the Event recorder.
// - Health: /healthz, /readyz (each Controller's caches, any feature's checks), /metrics and
//   the other routes, on the probe server it is given. A cache that has not synced within the
//   sync timeout fails readiness naming the resource it waits for, and is logged once, at
//   error level.
// - Shutdown: leader work first and the Lease released (a standby takes over at once), then
//   the other runnables, the Events, the HTTP server.
// What knows no Kubernetes (runnables, periodic runnables, health, leader transitions, shutdown)
// is its base, ./runner.ts, which a process without a cluster uses with an elector of its own.
import type { Logger } from "../log";
import { describeWait, type CacheWait, type SyncingCache } from "./cache-sync";
import type { KubeClient } from "./client";
import { EventRecorder } from "./events";
import { InformerFactory } from "./informer-factory";
import { LeaderElector } from "./leader-election";
import { Runner, type ProbeServer, type Runnable } from "./runner";

export type {
  ProbeServer,
  ReadinessCheck,
  ReadinessReport,
  RouteHandler,
  Runnable,
  Elector,
  ElectorFactory,
  LeadershipCallbacks,
} from "./runner";

/** A runnable that reads caches (a Controller): unready while they sync, loudly past the timeout. */
export interface CacheReader {
  /** The caches it still waits for and since when; undefined when it waits for none (or is stopped). */
  cacheWait(): CacheWait | undefined;
}

export interface LeaderElectionSettings {
  namespace: string;
  /** The Lease's name. */
  name: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export interface ManagerOptions {
  client: KubeClient;
  log: Logger;
  /** Serves health, readiness and the routes added (/metrics: ../context.ts adds it). */
  probes: ProbeServer;
  /** This process: the Lease holder identity and the Events' reporting instance. */
  identity: string;
  /** The Events' reporting controller. */
  reportingController: string;
  /** Absent: this process leads from the start (one replica; the in-process tests). */
  leaderElection?: LeaderElectionSettings;
  /** Caches not synced after this long fail readiness with their reason, logged once (default 30 s). */
  cacheSyncTimeoutMs?: number;
}

const isCacheReader = (r: object): r is CacheReader =>
  typeof (r as Partial<CacheReader>).cacheWait === "function";

export class Manager extends Runner {
  readonly client: KubeClient;
  /** Shared informers (one per resource and selectors for the whole process). */
  readonly informers: InformerFactory;
  /** Events reported as this controller; flushed when the manager stops. */
  readonly events: EventRecorder;
  private readonly cacheSyncTimeoutMs: number;
  private readonly cacheWaits = new Map<string, () => CacheWait | undefined>();
  /** The wait (its start) each cache check last logged as timed out: one line per wait. */
  private readonly reported = new Map<string, number>();

  constructor(options: ManagerOptions) {
    const { client, log } = options;
    const election = options.leaderElection;
    super({
      log,
      probes: options.probes,
      identity: options.identity,
      elector: election
        ? (callbacks) =>
            new LeaderElector(
              client,
              { ...election, identity: options.identity, ...callbacks },
              log.child({ component: "leader-election" }),
            )
        : undefined,
    });
    this.client = client;
    this.cacheSyncTimeoutMs = options.cacheSyncTimeoutMs ?? 30_000;
    this.informers = new InformerFactory(client, log.child({ component: "informers" }));
    this.events = new EventRecorder(
      client,
      { reportingController: options.reportingController, reportingInstance: options.identity },
      log.child({ component: "events" }),
    );
    this.add({
      name: "informers",
      leaderOnly: false,
      start: () => this.informers.startAll(),
      stop: () => this.informers.stopAll(),
    });
    this.every("cache-sync-timeout", Math.min(1000, this.cacheSyncTimeoutMs / 4), () =>
      this.reportSyncTimeouts(),
    );
  }

  /** Registers a runnable (before start). A Controller also gets its readiness check. */
  override add(runnable: Runnable): void {
    super.add(runnable);
    if (isCacheReader(runnable)) this.addCacheWait(`controller/${runnable.name}`, () => runnable.cacheWait());
  }

  /** Caches (shared, running on every replica) without which `name` is not ready. */
  waitForCaches(name: string, caches: () => SyncingCache[]): void {
    this.addCacheWait(name, () =>
      this.startedAt === undefined ? undefined : { since: this.startedAt, caches: caches() },
    );
  }

  protected override async afterRunnables(): Promise<void> {
    this.step("events");
    await this.events.stop();
  }

  private addCacheWait(name: string, wait: () => CacheWait | undefined): void {
    this.cacheWaits.set(name, wait);
    this.health.addReadinessCheck(name, () => {
      const problem = describeWait(wait(), this.cacheSyncTimeoutMs, Date.now());
      if (problem) throw new Error(problem.message);
    });
  }

  private reportSyncTimeouts(): void {
    for (const [name, wait] of this.cacheWaits) {
      const current = wait();
      const problem = describeWait(current, this.cacheSyncTimeoutMs, Date.now());
      if (!current || !problem?.timedOut || this.reported.get(name) === current.since) continue;
      this.reported.set(name, current.since);
      this.log.error(
        { component: "manager", check: name, timeoutMs: this.cacheSyncTimeoutMs },
        `${name}: ${problem.message}`,
      );
    }
  }
}
