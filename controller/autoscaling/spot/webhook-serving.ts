// The webhook as every replica runs it: the caches it reads (the pod cache and the spot
// workloads), the tracker marked ready once they have synced, and the HTTPS server, which
// starts listening with the first certificate and takes each renewed one without a restart.
// Its readiness check says which of those it still waits for.
import type { SyncingCache } from "../../kube/cache-sync";
import type { Runnable } from "../../kube/manager";
import type { Logger } from "../../log";
import type { PodCache } from "../pod-cache";
import type { CertManager, ServingCertificate } from "./certs";
import type { SpotTracker } from "./tracker";
import type { WebhookServer } from "./webhook";
import type { WebhookConfigKeeper } from "./webhook-config";
import type { WorkloadConfigCache } from "./workload-config";

export interface WebhookServingDeps {
  server: WebhookServer;
  certs: CertManager;
  registration: WebhookConfigKeeper;
  workloads: WorkloadConfigCache;
  pods: PodCache;
  tracker: SpotTracker;
  listen: { host: string; port: number };
  log: Logger;
}

export class WebhookServing implements Runnable {
  readonly name = "spot-webhook";
  readonly leaderOnly = false;
  private listening: number | undefined;
  private listenError: string | undefined;
  private syncing: AbortController | undefined;

  constructor(private readonly deps: WebhookServingDeps) {
    deps.certs.onChange((cert) => this.certificateChanged(cert));
  }

  start(): void {
    const { workloads, pods, tracker, log } = this.deps;
    workloads.start();
    pods.start();
    const syncing = new AbortController();
    this.syncing = syncing;
    // Upstream starts the tracker once the workload config has synced; counts are only right
    // once the pod cache has too.
    Promise.all([workloads.waitForSync(syncing.signal), pods.waitForSync(syncing.signal)]).then(
      () => {
        tracker.markReady();
        log.info({ pods: pods.size, workloads: workloads.list().length }, "spot tracker synced");
      },
      () => undefined,
    );
  }

  async stop(): Promise<void> {
    this.syncing?.abort();
    await this.deps.server.close();
    this.listening = undefined;
  }

  /** The caches the webhook answers from (the manager reports them when they do not sync). */
  caches(): SyncingCache[] {
    return [...this.deps.workloads.caches(), ...this.deps.pods.caches()];
  }

  /** Readiness: throws with what the webhook still waits for. */
  check(): void {
    const { certs, tracker } = this.deps;
    if (this.listenError) throw new Error(this.listenError);
    if (!certs.certificate())
      throw new Error(`no serving certificate yet${certs.error() ? `: ${certs.error()}` : ""}`);
    if (this.listening === undefined) throw new Error("the webhook server is not listening yet");
    if (!tracker.ready()) throw new Error("waiting for the pod and workload caches to sync");
  }

  /** The port it listens on, once it does. */
  port(): number | undefined {
    return this.listening;
  }

  private certificateChanged(cert: ServingCertificate): void {
    const { server, registration, listen, log } = this.deps;
    registration.certificateChanged();
    const tls = { cert: cert.certPem, key: cert.keyPem };
    if (this.listening !== undefined) {
      server.setCertificate(tls);
      return;
    }
    const { host, port } = listen;
    server.listen(host, port, tls).then(
      (bound) => {
        this.listening = bound;
        this.listenError = undefined;
        log.info({ host, port: bound }, "serving the spot admission webhook over HTTPS");
      },
      (error: Error) => {
        this.listenError = `cannot listen on ${host}:${port}: ${error.message}`;
        log.error(this.listenError);
      },
    );
  }
}
