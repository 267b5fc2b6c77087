// What readiness says about caches that have not synced: while a controller (or a feature's
// shared caches) waits for its first LISTs, it is not ready; past the sync timeout the message
// names each resource still missing and why the API server last refused it (a 404 is a CRD
// that is not installed, a 403 a list RBAC does not allow), and the manager logs it once, at
// error level. controller-runtime's CacheSyncTimeout fails the controller; a fleetdeck
// controller keeps waiting (a CRD installed later is picked up) but says so where it is seen.
import { ApiError } from "./client";

/** What readiness needs of a cache: an Informer is one. */
export interface SyncingCache {
  readonly name: string;
  /** Collection path, e.g. "/apis/datadoghq.com/v2alpha1/datadogagents". */
  readonly path: string;
  hasSynced(): boolean;
  /** The last LIST or WATCH failure since the cache last synced, if any. */
  lastError(): unknown;
}

/** Caches some part of the controller is waiting for, and since when (its start). */
export interface CacheWait {
  since: number;
  caches: SyncingCache[];
}

/** "datadogagents.datadoghq.com/v2alpha1" for a custom resource, "pods/v1" for a core one. */
export function resourceOf(path: string): string {
  const parts = path.split("/").filter(Boolean);
  const withoutNamespace = (rest: string[]) =>
    rest[0] === "namespaces" && rest.length >= 3 ? rest.slice(2) : rest;
  if (parts[0] === "api" && parts.length >= 3) {
    const [resource] = withoutNamespace(parts.slice(2));
    return `${resource}/${parts[1]}`;
  }
  if (parts[0] === "apis" && parts.length >= 4) {
    const [resource] = withoutNamespace(parts.slice(3));
    return `${resource}.${parts[1]}/${parts[2]}`;
  }
  return path;
}

/** Why this cache may not have synced, from its last error. */
function hint(error: unknown): string {
  if (error === undefined) return "the API server has not answered its list yet";
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ApiError && error.code === 404)
    return `is its CRD installed? (the API answered 404: ${message})`;
  if (error instanceof ApiError && error.code === 403)
    return `may this controller list and watch it? (the API answered 403: ${message})`;
  return `last error: ${message}`;
}

/**
 * Why `name` is not ready, or undefined when every cache it waits for has synced. Before the
 * timeout the message only lists what it waits for; `timedOut` says it is past the timeout.
 */
export function describeWait(
  wait: CacheWait | undefined,
  timeoutMs: number,
  now: number,
): { message: string; timedOut: boolean } | undefined {
  const unsynced = wait?.caches.filter((c) => !c.hasSynced()) ?? [];
  if (!wait || unsynced.length === 0) return undefined;
  const waitedMs = now - wait.since;
  if (waitedMs < timeoutMs) {
    return {
      message: `waiting for ${unsynced.map((c) => resourceOf(c.path)).join(", ")} to sync`,
      timedOut: false,
    };
  }
  return {
    message: unsynced
      .map((c) => `${resourceOf(c.path)} has not synced after ${timeoutMs / 1000} s: ${hint(c.lastError())}`)
      .join("; "),
    timedOut: true,
  };
}
