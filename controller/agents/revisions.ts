// ControllerRevisions as upstream: `<agent>-<hash>` in the agent's namespace, `data` = the
// defaulted spec, a controller ownerReference to the DatadogAgent (so the cluster deletes them
// with it), idempotent creation, and GC that keeps current, previous and the running
// experiment's baseline.
import type { AgentStatus } from "../../lib/agents";
import type { JsonObject } from "../../lib/merge-patch";
import { isConflict, isNotFound, resourcePath, type KubeClient } from "../kube/client";
import type { Informer, KubeObject } from "../kube/informer";
import { DDA_API_VERSION, DDA_KIND, type DatadogAgent } from "./api";
import type { AgentReadModel } from "./read-model";

export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const CONTROLLER_REVISIONS_PATH = "/apis/apps/v1/controllerrevisions";
export const MANAGED_BY_SELECTOR = "app.kubernetes.io/managed-by=fleetdeck";
/** Label values are limited to 63 characters; the owner's uid always fits. */
export const AGENT_UID_LABEL = "fleetdeck.dev/agent-uid";

/** Upstream BuildKeepSet: the revisions GC must not delete (empty names excluded). */
export function keepSet(status: AgentStatus): Set<string> {
  const keep = new Set<string>();
  if (status.currentRevision) keep.add(status.currentRevision);
  if (status.previousRevision) keep.add(status.previousRevision);
  if (status.experiment?.baselineRevision) keep.add(status.experiment.baselineRevision);
  return keep;
}

export function ownerReference(agent: DatadogAgent) {
  return {
    apiVersion: DDA_API_VERSION,
    kind: DDA_KIND,
    name: agent.metadata.name,
    uid: agent.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function isOwnedBy(obj: { metadata?: object }, agent: DatadogAgent): boolean {
  const refs = (obj.metadata as { ownerReferences?: { uid?: string }[] } | undefined)?.ownerReferences ?? [];
  return refs.some((ref) => ref.uid === agent.metadata.uid);
}

export interface StoredRevision {
  name: string;
  spec: JsonObject;
  owned: boolean;
}

/** The informer cache keeps who owns each revision, not its (large) data. */
export function withoutData(raw: KubeObject): KubeObject {
  const { data: _data, ...rest } = raw;
  const { managedFields: _managed, ...metadata } = raw.metadata;
  return { ...rest, metadata };
}

const revisionsPath = (namespace: string, name?: string) =>
  resourcePath({ group: "apps", version: "v1", resource: "controllerrevisions", namespace, name });

interface ControllerRevision extends KubeObject {
  data?: JsonObject;
}

export class Revisions {
  /**
   * With `cache` (the controller's informer on fleetdeck's ControllerRevisions), existence
   * checks and GC listings cost no request; without it, the API server is asked.
   */
  constructor(
    private readonly client: KubeClient,
    private readonly cache?: Informer<KubeObject>,
  ) {}

  /** Creates the revision unless it exists (upstream: exists → success). True when created. */
  async ensure(agent: DatadogAgent, name: string, defaultedSpec: JsonObject): Promise<boolean> {
    if (this.cache?.get(`${agent.metadata.namespace}/${name}`)) return false;
    const body = {
      apiVersion: "apps/v1",
      kind: "ControllerRevision",
      metadata: {
        name,
        namespace: agent.metadata.namespace,
        labels: { [MANAGED_BY_LABEL]: "fleetdeck", [AGENT_UID_LABEL]: agent.metadata.uid! },
        ownerReferences: [ownerReference(agent)],
      },
      data: defaultedSpec,
      revision: agent.metadata.generation ?? 0,
    };
    try {
      await this.client.create(revisionsPath(agent.metadata.namespace!), body);
      return true;
    } catch (error) {
      if (isConflict(error)) return false; // AlreadyExists
      throw error;
    }
  }

  /** The revision's spec, or undefined when the cluster does not have it. */
  async get(namespace: string, name: string, agent?: DatadogAgent): Promise<StoredRevision | undefined> {
    const cr = await this.client.getIfExists<ControllerRevision>(revisionsPath(namespace, name));
    return cr && { name, spec: cr.data ?? {}, owned: agent ? isOwnedBy(cr, agent) : false };
  }

  /** Revisions owned by this agent (upstream ListOwnedRevisions filters on the ownerReference). */
  async listOwned(agent: DatadogAgent): Promise<string[]> {
    const items = this.cache
      ? this.cache.list(agent.metadata.namespace)
      : (
          await this.client.list<ControllerRevision>(revisionsPath(agent.metadata.namespace!), {
            labelSelector: MANAGED_BY_SELECTOR,
          })
        ).items;
    return items.filter((cr) => isOwnedBy(cr, agent)).map((cr) => cr.metadata.name);
  }

  /** Deletes every owned revision not in `keep`; returns what was deleted and what remains. */
  async garbageCollect(
    agent: DatadogAgent,
    keep: Set<string>,
  ): Promise<{ deleted: string[]; kept: string[] }> {
    const owned = await this.listOwned(agent);
    const deleted: string[] = [];
    for (const name of owned) {
      if (keep.has(name)) continue;
      try {
        await this.client.delete(revisionsPath(agent.metadata.namespace!, name));
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
      deleted.push(name);
    }
    return { deleted, kept: owned.filter((name) => keep.has(name)) };
  }
}

/** Thrown when a revision is in neither the cluster nor SQLite (or only redacted there). */
export class RevisionUnavailable extends Error {
  override name = "RevisionUnavailable";
}

/**
 * A revision's spec: from its ControllerRevision, else from SQLite's history, re-creating the
 * ControllerRevision the cluster dropped (so status pointers to it stay valid).
 */
export async function loadRevisionSpec(
  deps: { revisions: Revisions; readModel: AgentReadModel },
  agent: DatadogAgent,
  name: string,
  /** A command's signal: once aborted, the revision is not re-created. */
  signal?: AbortSignal,
): Promise<JsonObject> {
  const namespace = agent.metadata.namespace!;
  const inCluster = await deps.revisions.get(namespace, name, agent);
  if (inCluster) return inCluster.spec;
  const key = `${namespace}/${agent.metadata.name}`;
  const stored = await deps.readModel.revisionSpec(key, name);
  if (!stored) {
    throw new RevisionUnavailable(
      `revision ${name} of ${key} exists neither in the cluster nor in fleetdeck's history`,
    );
  }
  if (stored.redacted) {
    throw new RevisionUnavailable(
      `revision ${name} of ${key} is gone from the cluster, and fleetdeck's copy had a literal secret redacted, so it cannot be restored`,
    );
  }
  const spec = stored.spec as JsonObject;
  signal?.throwIfAborted();
  await deps.revisions.ensure(agent, name, spec);
  await deps.readModel.setInCluster(key, [name], true);
  return spec;
}
