// Metadata forwarding, the leader's: the CRD and Helm forwarders, the send log and the status
// rows of the Metadata page (./setup.ts runs them on the manager). Without DD_API_KEY nothing
// is watched or sent, and the status rows say why.
import type { Database } from "../../lib/db/open";
import { withRetry } from "../../lib/db/open";
import type { ForwarderName } from "../../lib/metadata";
import { FLEETDECK_VERSION } from "../../lib/version";
import type { KubeClient } from "../kube/client";
import type { ClusterIdentity } from "../kube/cluster";
import type { EventRecorder } from "../kube/events";
import type { InformerFactory } from "../kube/informer-factory";
import type { Logger } from "../log";
import { recordAudit } from "../store/audit";
import type { MetadataConfig } from "./config";
import { CrdForwarder } from "./crd-forwarder";
import { Delivery } from "./delivery";
import { ForwarderStatusWriter, type ForwarderStatus } from "./forwarder-status";
import { HelmForwarder } from "./helm-forwarder";
import { IntakeClient } from "./intake-client";
import { SendLog } from "./send-log";

export const FORWARDING_OFF_MESSAGE = "forwarding is off: DD_API_KEY is not set";
/** The status rows a leader leaves when it stops. */
const STANDBY = { state: "standby", message: "the controller that forwarded stopped leading" } as const;

export interface MetadataDeps {
  client: KubeClient;
  informers: InformerFactory;
  db: Database;
  log: Logger;
  cluster: ClusterIdentity;
  controllerId: string;
  config: MetadataConfig;
  events?: EventRecorder;
}

export class MetadataForwarding {
  readonly crd: CrdForwarder | undefined;
  readonly helm: HelmForwarder | undefined;
  readonly sendLog: SendLog;
  private readonly statusWriter: ForwarderStatusWriter;
  private readonly intake: IntakeClient | undefined;
  private running = false;

  constructor(private readonly deps: MetadataDeps) {
    const { config, log } = deps;
    this.sendLog = new SendLog(
      deps.db,
      deps.cluster.clusterId,
      log.child({ part: "send-log" }),
      config.sendLog,
    );
    if (config.apiKey) {
      const intake = new IntakeClient(config.intakeUrl, config.apiKey);
      this.intake = intake;
      const sender = {
        operatorVersion: FLEETDECK_VERSION,
        kubernetesVersion: deps.cluster.kubernetesVersion,
        clusterId: deps.cluster.clusterId,
      };
      const forwarderDeps = (name: ForwarderName) => {
        const forwarderLog = log.child({ forwarder: name });
        return {
          client: deps.client,
          informers: deps.informers,
          log: forwarderLog,
          delivery: new Delivery(name, intake, this.sendLog, forwarderLog),
          sender,
          workers: config.workers,
        };
      };
      this.crd = new CrdForwarder(forwarderDeps("crd"));
      this.helm = new HelmForwarder(forwarderDeps("helm"), {
        ...config.helm,
        events: deps.events,
      });
    }
    this.statusWriter = new ForwarderStatusWriter(deps.db, deps.cluster.clusterId, deps.controllerId, () =>
      this.status(),
    );
  }

  /** Starts the forwarders (the leader's) and records that in the audit trail. */
  async start(): Promise<void> {
    const { log, config } = this.deps;
    this.running = true;
    if (this.crd && this.helm) {
      await Promise.all([this.crd.start(), this.helm.start()]);
      log.info({ intake: config.intakeUrl }, "metadata forwarding started");
    } else {
      log.warn(FORWARDING_OFF_MESSAGE);
    }
    await this.auditStart();
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all([this.crd?.stop(), this.helm?.stop()]);
    this.intake?.close();
  }

  /** The status rows, when they changed; the last write (`final`) marks them standby. */
  writeStatus(final: boolean): Promise<void> {
    return this.statusWriter.write(final ? STANDBY : undefined);
  }

  status(): ForwarderStatus[] {
    const { config } = this.deps;
    const forwarders = [
      { name: "crd" as const, forwarder: this.crd, heartbeatMs: config.crdHeartbeatMs },
      { name: "helm" as const, forwarder: this.helm, heartbeatMs: config.helmHeartbeatMs },
    ];
    return forwarders.map(({ name, forwarder, heartbeatMs }) => {
      const s = forwarder?.status();
      return {
        name,
        state: !forwarder ? "off" : this.running ? "on" : "standby",
        message: forwarder ? "" : FORWARDING_OFF_MESSAGE,
        intakeUrl: config.intakeUrl,
        activeWatches: s?.active ?? [],
        deniedWatches: s?.denied ?? [],
        queueDepth: s?.queueDepth ?? 0,
        snapshots: s?.snapshots ?? 0,
        heartbeatSeconds: Math.round(heartbeatMs / 1000),
        lastHeartbeatAt: s?.lastHeartbeatAt,
        lastSendAt: forwarder?.lastSendAt,
      };
    });
  }

  /** Forwarding on or off, and each watch skipped for lack of permission: audit rows. */
  private async auditStart(): Promise<void> {
    const { db, controllerId, config, log, cluster } = this.deps;
    const denied = this.status().flatMap((s) => s.deniedWatches.map((w) => ({ forwarder: s.name, ...w })));
    try {
      await withRetry(() =>
        db.$transaction(async (tx) => {
          await recordAudit(tx, cluster.clusterId, {
            actor: controllerId,
            action: this.crd ? "metadata.forwarding-started" : "metadata.forwarding-off",
            targetKind: "MetadataIntake",
            target: config.intakeUrl,
            details: this.crd ? { workers: config.workers } : { message: FORWARDING_OFF_MESSAGE },
          });
          for (const w of denied) {
            await recordAudit(tx, cluster.clusterId, {
              actor: controllerId,
              action: "metadata.watch-denied",
              targetKind: w.kind,
              target: `${w.resource}${w.group ? `.${w.group}` : ""}`,
              details: { forwarder: w.forwarder, message: w.reason },
            });
          }
        }),
      );
    } catch (error) {
      log.warn({ err: (error as Error).message }, "audit of the forwarding start failed");
    }
  }
}
