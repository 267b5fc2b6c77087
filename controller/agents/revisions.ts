// ControllerRevisions as upstream: `<agent>-<hash>` in the agent's namespace, `data` = the
// defaulted spec with its literal secrets redacted (docs/experiments.md), a controller
// ownerReference to the DatadogAgent (so the cluster deletes them with it), idempotent creation,
// `.revision` numbered as a DaemonSet's history (a new one gets the next number, one that
// becomes current again is renumbered last), and GC that keeps current, previous and the
// running experiment's baseline.
import { redactSpec, withCurrentSecrets, type AgentStatus } from "../../lib/agents";
import type { JsonObject } from "../../lib/merge-patch";
import { isConflict, isNotFound, resourcePath, type KubeClient } from "../kube/client";
import { objectKey, type Informer, type KubeObject } from "../kube/informer";
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
  revision?: number;
}

export class Revisions {
  /**
   * With `cache` (the controller's informer on fleetdeck's ControllerRevisions), existence
   * checks and GC listings cost no request; without it, the API server is asked.
   */
  /** Cache keys of the cached revisions by the uid of each owner (an agent has a handful). */
  private readonly byOwner = new Map<string, Set<string>>();

  constructor(
    private readonly client: KubeClient,
    private readonly cache?: Informer<KubeObject>,
  ) {
    // Indexed by owner as they are cached: a namespace of a thousand agents holds thousands of
    // revisions, and each reconcile lists its agent's several times.
    const index = (cr: KubeObject, add: boolean) => {
      const refs = (cr.metadata.ownerReferences as { uid?: string }[] | undefined) ?? [];
      for (const uid of refs.flatMap((r) => (r.uid ? [r.uid] : []))) {
        const keys = this.byOwner.get(uid) ?? new Set<string>();
        if (add) keys.add(objectKey(cr));
        else keys.delete(objectKey(cr));
        if (keys.size > 0) this.byOwner.set(uid, keys);
        else this.byOwner.delete(uid);
      }
    };
    cache
      ?.on("add", (cr) => index(cr, true))
      .on("update", (old, cr) => {
        index(old, false);
        index(cr, true);
      })
      .on("delete", (cr) => index(cr, false));
  }

  /**
   * Creates the revision unless it exists (upstream: exists → success), numbered after the
   * agent's others; an existing one that is not the last is renumbered last, as a DaemonSet's
   * history does when an old template comes back. True when created.
   */
  async ensure(agent: DatadogAgent, name: string, defaultedSpec: JsonObject): Promise<boolean> {
    const owned = await this.ownedRevisions(agent);
    const last = Math.max(0, ...owned.map((cr) => cr.revision ?? 0));
    const existing = owned.find((cr) => cr.metadata.name === name);
    if (existing) {
      if ((existing.revision ?? 0) < last) {
        await this.client
          .mergePatch(revisionsPath(agent.metadata.namespace!, name), { revision: last + 1 })
          .catch((error: unknown) => {
            if (!isNotFound(error)) throw error;
          });
      }
      return false;
    }
    if (this.cache?.get(`${agent.metadata.namespace}/${name}`)) return false; // another owner's, being collected
    const body = {
      apiVersion: "apps/v1",
      kind: "ControllerRevision",
      metadata: {
        name,
        namespace: agent.metadata.namespace,
        labels: { [MANAGED_BY_LABEL]: "fleetdeck", [AGENT_UID_LABEL]: agent.metadata.uid! },
        ownerReferences: [ownerReference(agent)],
      },
      // Literal secrets stay out of the history: the built-in `view` role reads
      // ControllerRevisions, not Secrets. A restore takes them from the current spec.
      data: redactSpec(defaultedSpec).spec,
      revision: last + 1,
    };
    try {
      await this.client.create(revisionsPath(agent.metadata.namespace!), body);
      return true;
    } catch (error) {
      if (isConflict(error)) return false; // AlreadyExists
      throw error;
    }
  }

  /**
   * The agent's revisions in the order of their numbers, newest last: where fleetdeck has no
   * pointers of its own (a new store), the last is the current and the one before it previous.
   */
  async history(agent: DatadogAgent): Promise<string[]> {
    return (await this.ownedRevisions(agent))
      .sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0))
      .map((cr) => cr.metadata.name);
  }

  /** The revision's spec, or undefined when the cluster does not have it. */
  async get(namespace: string, name: string, agent?: DatadogAgent): Promise<StoredRevision | undefined> {
    const cr = await this.client.getIfExists<ControllerRevision>(revisionsPath(namespace, name));
    return cr && { name, spec: cr.data ?? {}, owned: agent ? isOwnedBy(cr, agent) : false };
  }

  /** Revisions owned by this agent (upstream ListOwnedRevisions filters on the ownerReference). */
  async listOwned(agent: DatadogAgent): Promise<string[]> {
    return (await this.ownedRevisions(agent)).map((cr) => cr.metadata.name);
  }

  private async ownedRevisions(agent: DatadogAgent): Promise<ControllerRevision[]> {
    if (this.cache) {
      const keys = this.byOwner.get(agent.metadata.uid ?? "") ?? [];
      return [...keys].flatMap((key) => {
        const cr = this.cache!.get(key) as ControllerRevision | undefined;
        return cr && isOwnedBy(cr, agent) ? [cr] : [];
      });
    }
    const items = (
      await this.client.list<ControllerRevision>(revisionsPath(agent.metadata.namespace!), {
        labelSelector: MANAGED_BY_SELECTOR,
      })
    ).items;
    return items.filter((cr) => isOwnedBy(cr, agent));
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
 * A revision's spec, ready to write back: from its ControllerRevision, else from the store's
 * history (re-creating the ControllerRevision the cluster dropped, so pointers to it stay valid),
 * with the literal secrets neither keeps taken from the agent's current spec.
 */
export async function loadRevisionSpec(
  deps: { revisions: Revisions; readModel: Pick<AgentReadModel, "revisionSpec" | "setInCluster"> },
  agent: DatadogAgent,
  name: string,
  /** A command's signal: once aborted, the revision is not re-created. */
  signal?: AbortSignal,
): Promise<JsonObject> {
  const namespace = agent.metadata.namespace!;
  const key = `${namespace}/${agent.metadata.name}`;
  const inCluster = await deps.revisions.get(namespace, name, agent);
  const stored = inCluster ? undefined : await deps.readModel.revisionSpec(key, name);
  if (!inCluster && !stored) {
    throw new RevisionUnavailable(
      `revision ${name} of ${key} exists neither in the cluster nor in fleetdeck's history`,
    );
  }
  // The ControllerRevision and the store's copy are redacted alike.
  const { spec, missing } = withCurrentSecrets(
    inCluster?.spec ?? (stored!.spec as JsonObject),
    agent.spec ?? {},
  );
  if (missing.length > 0) {
    throw new RevisionUnavailable(
      `revision ${name} of ${key} held a literal secret at ${missing.join(", ")}, which fleetdeck does not keep and the current spec no longer has, so it cannot be restored`,
    );
  }
  if (!inCluster) {
    signal?.throwIfAborted();
    await deps.revisions.ensure(agent, name, stored!.spec as JsonObject);
    await deps.readModel.setInCluster(key, [name], true);
  }
  return spec;
}
