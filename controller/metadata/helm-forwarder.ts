// The Helm forwarder: releases of the allowed charts (datadog, datadog-operator, datadog-agent),
// read from Helm's storage objects (Secrets or ConfigMaps labelled owner=helm, named
// sh.helm.release.v1.<release>.v<revision>). Only a revision newer than the last one sent is
// sent, so updates that keep the revision (Helm relabelling v1 "superseded", a label edit) send
// nothing. An undecodable or oversized release is recorded as skipped with its reason (a
// send-log row and a Warning Event) and never stops the forwarder. With
// FLEETDECK_METADATA_HELM_NAMESPACES it watches those namespaces only, each with its own
// informers and access review (so it needs no cluster-wide Secret list).
import { createHash } from "node:crypto";
import type { EventRecorder } from "../kube/events";
import type { KubeObject } from "../kube/informer";
import type { SendSubject } from "./delivery";
import { objectRefKeys, type ObjectRef, type ProcessContext, type WatchTarget } from "./engine";
import { Forwarder, type ForwarderDeps } from "./forwarder";
import {
  decodeHelmRelease,
  HelmReleaseError,
  parseReleaseObjectName,
  RELEASE_PREFIX,
  releaseInfo,
} from "./helm-release";
import { buildHelmPayload } from "./payloads";

const isReleaseObject = (obj: KubeObject) => obj.metadata.name.startsWith(RELEASE_PREFIX);

const HELM_WATCHES: WatchTarget[] = [
  {
    group: "",
    resource: "secrets",
    kind: "Secret",
    path: "/api/v1/secrets",
    informerName: "helm-release-secrets",
    labelSelector: "owner=helm",
    filter: isReleaseObject,
  },
  {
    group: "",
    resource: "configmaps",
    kind: "ConfigMap",
    path: "/api/v1/configmaps",
    informerName: "helm-release-configmaps",
    labelSelector: "owner=helm",
    filter: isReleaseObject,
  },
];

/** Release storage in every namespace, or in each of `namespaces` only. */
export function helmWatches(namespaces: string[]): WatchTarget[] {
  if (namespaces.length === 0) return HELM_WATCHES;
  return namespaces.flatMap((namespace) => HELM_WATCHES.map((target) => ({ ...target, namespace })));
}

interface ReleaseSnapshot {
  /** Last revision sent. */
  revision: number;
  /** The storage object of that revision (what a heartbeat re-processes). */
  ref: ObjectRef;
}

export interface HelmForwarderOptions {
  charts: string[];
  maxReleaseBytes: number;
  /** Empty: every namespace. */
  namespaces: string[];
  events?: EventRecorder;
}

export class HelmForwarder extends Forwarder {
  /** By "namespace/release". */
  private readonly releases = new Map<string, ReleaseSnapshot>();
  private readonly heartbeatDue = new Set<string>();
  /** Storage objects recorded as skipped, by uid → hash of the data, so a skip is recorded once. */
  private readonly skipped = new Map<string, string>();

  constructor(
    deps: ForwarderDeps,
    private readonly options: HelmForwarderOptions,
  ) {
    super(deps, "metadata-helm", helmWatches(options.namespaces));
  }

  protected forget(): void {
    this.releases.clear();
    this.heartbeatDue.clear();
    this.skipped.clear();
  }

  protected snapshotCount(): number {
    return this.releases.size;
  }

  protected async sync(ref: ObjectRef, { signal, attempt }: ProcessContext): Promise<void> {
    const obj = this.engine.get(ref);
    const name = parseReleaseObjectName(ref.name);
    if (!name) return;
    const releaseKey = `${ref.namespace}/${name.release}`;
    if (!obj) {
      // Helm prunes old revisions all the time; only deleting the revision last sent drops the release.
      if (this.releases.get(releaseKey)?.revision === name.revision) {
        this.releases.delete(releaseKey);
        this.heartbeatDue.delete(releaseKey);
      }
      return;
    }
    const current = this.releases.get(releaseKey);
    const heartbeat = this.heartbeatDue.has(releaseKey) && current?.revision === name.revision;
    if (current && (name.revision < current.revision || (name.revision === current.revision && !heartbeat))) {
      return;
    }
    // At start-up every stored revision is queued; only the newest one of a release is sent.
    if (!heartbeat && this.newerRevisionCached(ref, name.release, name.revision)) return;

    const reason = attempt > 1 ? "retry" : heartbeat ? "heartbeat" : current ? "update" : "create";
    const subject: SendSubject = {
      kind: "HelmRelease",
      object: releaseKey,
      revision: name.revision,
      reason,
      attempt,
    };
    const field = (obj.data as Record<string, string> | undefined)?.release;
    let release;
    try {
      release = await decodeHelmRelease(field, ref.kind === "Secret", this.options.maxReleaseBytes);
    } catch (error) {
      if (!(error instanceof HelmReleaseError)) throw error;
      this.recordSkip(obj, ref, subject, `undecodable Helm release (${error.code}): ${error.message}`, field);
      return;
    }
    if (!this.options.charts.includes(release.chart.metadata.name)) {
      this.deps.log.debug({ release: releaseKey, chart: release.chart.metadata.name }, "chart not forwarded");
      return;
    }
    const info = releaseInfo(release, obj.metadata.uid ?? "", name.revision);
    await this.deps.delivery.send(subject, buildHelmPayload(info, this.deps.sender), signal);
    // Stored after the send succeeded; two revisions in flight at once keep the higher one.
    const latest = this.releases.get(releaseKey);
    if (!latest || latest.revision <= name.revision) {
      this.releases.set(releaseKey, { revision: name.revision, ref });
    }
    if (heartbeat) this.heartbeatDue.delete(releaseKey);
  }

  private newerRevisionCached(ref: ObjectRef, release: string, revision: number): boolean {
    return this.engine.list(ref.kind, ref.namespace).some((other) => {
      const parsed = parseReleaseObjectName(other.metadata.name);
      return parsed?.release === release && parsed.revision > revision;
    });
  }

  private recordSkip(
    obj: KubeObject,
    ref: ObjectRef,
    subject: SendSubject,
    reason: string,
    field: string | undefined,
  ): void {
    const uid = obj.metadata.uid ?? objectRefKeys.encode(ref);
    const fingerprint = createHash("sha256")
      .update(field ?? "")
      .digest("hex");
    if (this.skipped.get(uid) === fingerprint) return;
    this.skipped.set(uid, fingerprint);
    this.deps.log.warn({ object: objectRefKeys.encode(ref), reason }, "Helm release skipped");
    this.deps.delivery.skipped(subject, reason);
    this.options.events?.record({
      regarding: {
        apiVersion: "v1",
        kind: ref.kind,
        name: ref.name,
        namespace: ref.namespace,
        uid: obj.metadata.uid,
      },
      type: "Warning",
      reason: "MetadataSkipped",
      action: "ForwardMetadata",
      note: `fleetdeck did not forward this Helm release: ${reason}`,
    });
  }

  protected heartbeat(): void {
    for (const [releaseKey, snapshot] of this.releases) {
      this.heartbeatDue.add(releaseKey);
      this.engine.enqueue(snapshot.ref);
    }
  }
}
