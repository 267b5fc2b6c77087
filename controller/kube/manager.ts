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
import type http from "node:http";
import type { Logger } from "../log";
import { describeWait, type CacheWait, type SyncingCache } from "./cache-sync";
import type { KubeClient } from "./client";
import { EventRecorder } from "./events";
import { InformerFactory } from "./informer-factory";
import { LeaderElector } from "./leader-election";
import { collectProcessMetrics } from "./metrics";
import { Periodic, type Interval, type PeriodicFn, type PeriodicOptions } from "./periodic";

export type ReadinessCheck = () => Promise<void> | void;
export type RouteHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

export interface ReadinessReport {
  ok: boolean;
  checks: { name: string; ok: boolean; message: string }[];
}

/** The HTTP server of /healthz, /readyz and other routes (http/server.ts). */
export interface ProbeServer {
  addReadinessCheck(name: string, check: ReadinessCheck): void;
  /** JSON shown under `details` in /readyz?verbose. */
  addDetails(name: string, read: () => unknown): void;
  addRoute(path: string, handler: RouteHandler): void;
  report(): Promise<ReadinessReport>;
  listen(host: string, port: number): Promise<{ host: string; port: number }>;
  close(): Promise<void>;
}

/** controller-runtime's Runnable, with its LeaderElectionRunnable's answer as a field. */
export interface Runnable {
  readonly name: string;
  /** Runs only while this process leads. */
  readonly leaderOnly: boolean;
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
}

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

export class Manager {
  readonly client: KubeClient;
  readonly log: Logger;
  /** Shared informers (one per resource and selectors for the whole process). */
  readonly informers: InformerFactory;
  /** Events reported as this controller; flushed when the manager stops. */
  readonly events: EventRecorder;
  private readonly health: ProbeServer;
  private readonly elector: LeaderElector | undefined;
  private readonly cacheSyncTimeoutMs: number;
  private readonly runnables: Runnable[] = [];
  private readonly running = new Set<Runnable>();
  private readonly cacheWaits = new Map<string, () => CacheWait | undefined>();
  /** The wait (its start) each cache check last logged as timed out: one line per wait. */
  private readonly reported = new Map<string, number>();
  private leading = false;
  private startedAt: number | undefined;
  private startingFor: string | undefined = "starting";
  private transitions: Promise<void> = Promise.resolve();

  constructor(options: ManagerOptions) {
    const { client, log } = options;
    this.client = client;
    this.log = log;
    this.cacheSyncTimeoutMs = options.cacheSyncTimeoutMs ?? 30_000;
    this.informers = new InformerFactory(client, log.child({ component: "informers" }));
    this.events = new EventRecorder(
      client,
      { reportingController: options.reportingController, reportingInstance: options.identity },
      log.child({ component: "events" }),
    );
    this.health = options.probes;
    this.health.addReadinessCheck("startup", () => {
      if (this.startingFor) throw new Error(this.startingFor);
    });
    this.health.addDetails("leader", () => ({
      leading: this.isLeader(),
      leader: this.elector?.currentLeader() ?? options.identity,
    }));
    const election = options.leaderElection;
    if (election) {
      this.elector = new LeaderElector(
        client,
        {
          ...election,
          identity: options.identity,
          onStartedLeading: () => this.transition(() => this.lead(true)),
          onStoppedLeading: () => this.transition(() => this.lead(false)),
          onNewLeader: (identity) =>
            log.info({ component: "leader-election", leader: identity }, "leader observed"),
        },
        log.child({ component: "leader-election" }),
      );
    }
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
  add(runnable: Runnable): void {
    if (this.startedAt !== undefined) throw new Error(`${runnable.name}: add runnables before start()`);
    this.runnables.push(runnable);
    if (isCacheReader(runnable)) this.addCacheWait(`controller/${runnable.name}`, () => runnable.cacheWait());
  }

  /** Runs `fn` every `interval` ms (one run at a time; see ./periodic.ts); returns its handle. */
  every(name: string, interval: Interval, fn: PeriodicFn, options: PeriodicOptions = {}): Periodic {
    const periodic = new Periodic(name, interval, fn, options, this.log.child({ component: "periodic" }));
    this.add(periodic);
    return periodic;
  }

  /** A readiness check: throws (with why) while not ready. */
  addReadyzCheck(name: string, check: ReadinessCheck): void {
    this.health.addReadinessCheck(name, check);
  }

  /** Caches (shared, running on every replica) without which `name` is not ready. */
  waitForCaches(name: string, caches: () => SyncingCache[]): void {
    this.addCacheWait(name, () =>
      this.startedAt === undefined ? undefined : { since: this.startedAt, caches: caches() },
    );
  }

  /** JSON shown under `details` in /readyz?verbose. */
  addDetails(name: string, read: () => unknown): void {
    this.health.addDetails(name, read);
  }

  addRoute(path: string, handler: RouteHandler): void {
    this.health.addRoute(path, handler);
  }

  /** What start-up waits for (the API server, the database): /readyz says so until start(). */
  starting(reason: string): void {
    this.startingFor = reason;
  }

  /** Serves /healthz, /readyz and the routes (before start(), so /readyz can say what start-up waits for). */
  serve(host: string, port: number): Promise<{ host: string; port: number }> {
    collectProcessMetrics();
    return this.health.listen(host, port);
  }

  /** What /readyz reports. */
  readiness(): Promise<ReadinessReport> {
    return this.health.report();
  }

  isLeader(): boolean {
    return this.elector ? this.elector.isLeader() : this.leading;
  }

  /** Starts the runnables of every replica, then leader election (or, without it, leader work). */
  async start(): Promise<void> {
    this.startedAt = Date.now();
    await this.transition(() => this.startWhere((r) => !r.leaderOnly));
    if (this.elector) this.elector.start();
    else await this.transition(() => this.lead(true));
    this.startingFor = undefined;
  }

  async stop(): Promise<void> {
    const step = (name: string) => this.log.debug({ component: "manager", step: name }, "shutdown step");
    step("leader election");
    // Leader work stops and the Lease is released first, so a standby takes over at once.
    if (this.elector) await this.elector.stop();
    step("runnables");
    await this.transition(async () => {
      this.leading = false;
      await this.stopWhere(() => true);
    });
    step("events");
    await this.events.stop();
    step("http");
    await this.health.close();
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

  private lead(leading: boolean): Promise<void> {
    this.leading = leading;
    return leading ? this.startWhere((r) => r.leaderOnly) : this.stopWhere((r) => r.leaderOnly);
  }

  // Leadership can flap faster than runnables start; transitions are applied one at a time.
  private transition(step: () => Promise<void>): Promise<void> {
    this.transitions = this.transitions.then(step, step);
    return this.transitions;
  }

  private async startWhere(match: (r: Runnable) => boolean): Promise<void> {
    for (const r of this.runnables) {
      if (!match(r) || this.running.has(r)) continue;
      await r.start();
      this.running.add(r);
      this.log.info({ component: "manager", runnable: r.name, leaderOnly: r.leaderOnly }, "runnable started");
    }
  }

  private async stopWhere(match: (r: Runnable) => boolean): Promise<void> {
    for (const r of [...this.runnables].reverse()) {
      if (!match(r) || !this.running.has(r)) continue;
      this.running.delete(r);
      try {
        await r.stop();
        this.log.info({ component: "manager", runnable: r.name }, "runnable stopped");
      } catch (error) {
        this.log.error(
          { component: "manager", runnable: r.name, err: (error as Error).message },
          "runnable failed to stop cleanly",
        );
      }
    }
  }
}
