// The part of the Manager (./manager.ts) that knows no Kubernetes: runnables (leader-only ones
// while this process leads), periodic runnables, health and readiness, and shutdown in order.
// Who leads is an Elector's to say: the Manager's is a Lease in the cluster
// (./leader-election.ts); a process without a cluster of its own brings another (the fleet
// driver's lease is a row of the store).
import type http from "node:http";
import type { Logger } from "../log";
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

/** What an Elector tells its runner. */
export interface LeadershipCallbacks {
  onStartedLeading: () => Promise<void>;
  onStoppedLeading: () => Promise<void>;
  onNewLeader: (identity: string) => void;
}

/** Leader election: started with the runner; stop() stops leading (its callback) and releases the lease. */
export interface Elector {
  start(): void;
  stop(): Promise<void>;
  isLeader(): boolean;
  /** The holder last seen. */
  currentLeader(): string;
}

export type ElectorFactory = (callbacks: LeadershipCallbacks) => Elector;

export interface RunnerOptions {
  log: Logger;
  /** Serves health, readiness and the routes added. */
  probes: ProbeServer;
  /** This process, as leader election knows it. */
  identity: string;
  /** Absent: this process leads from the start (one replica; the in-process tests). */
  elector?: ElectorFactory;
}

export class Runner {
  readonly log: Logger;
  protected readonly health: ProbeServer;
  private readonly elector: Elector | undefined;
  private readonly runnables: Runnable[] = [];
  private readonly running = new Set<Runnable>();
  private leading = false;
  protected startedAt: number | undefined;
  private startingFor: string | undefined = "starting";
  private transitions: Promise<void> = Promise.resolve();

  constructor(options: RunnerOptions) {
    const { log } = options;
    this.log = log;
    this.health = options.probes;
    this.health.addReadinessCheck("startup", () => {
      if (this.startingFor) throw new Error(this.startingFor);
    });
    this.health.addDetails("leader", () => ({
      leading: this.isLeader(),
      leader: this.elector?.currentLeader() ?? options.identity,
    }));
    this.elector = options.elector?.({
      onStartedLeading: () => this.transition(() => this.lead(true)),
      onStoppedLeading: () => this.transition(() => this.lead(false)),
      onNewLeader: (identity) =>
        log.info({ component: "leader-election", leader: identity }, "leader observed"),
    });
  }

  /** Registers a runnable (before start). */
  add(runnable: Runnable): void {
    if (this.startedAt !== undefined) throw new Error(`${runnable.name}: add runnables before start()`);
    this.runnables.push(runnable);
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
    this.step("leader election");
    // Leader work stops and the lease is released first, so a standby takes over at once.
    if (this.elector) await this.elector.stop();
    this.step("runnables");
    await this.transition(async () => {
      this.leading = false;
      await this.stopWhere(() => true);
    });
    await this.afterRunnables();
    this.step("http");
    await this.health.close();
  }

  /** What stops after the runnables and before the HTTP server (the Manager's Events). */
  protected async afterRunnables(): Promise<void> {}

  protected step(name: string): void {
    this.log.debug({ component: "manager", step: name }, "shutdown step");
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
