// The documented default set, applied to a DatadogAgent spec before it is hashed, snapshotted
// and rendered (upstream hashes the defaulted spec too: DefaultDatadogAgentSpec). Defaults only
// fill what is missing, so applying them twice changes nothing, and a spec that spells a
// default out hashes the same as one that leaves it implicit.
import { isJsonObject, type Json, type JsonObject } from "../../lib/merge-patch";

/** Every default, as docs/experiments.md documents it. */
export const SPEC_DEFAULTS: ReadonlyArray<{ path: string[]; value: Json }> = [
  { path: ["global", "site"], value: "datadoghq.com" },
  { path: ["global", "registry"], value: "gcr.io/datadoghq" },
  { path: ["global", "logLevel"], value: "info" },
  { path: ["features", "apm", "enabled"], value: false },
  { path: ["features", "logCollection", "enabled"], value: false },
  { path: ["features", "npm", "enabled"], value: false },
  { path: ["features", "liveProcessCollection", "enabled"], value: false },
];

/** A defaulted copy of `spec` (anything that is not an object counts as empty). */
export function applyDefaults(spec: unknown): JsonObject {
  const result: JsonObject = isJsonObject(spec) ? structuredClone(spec) : {};
  for (const { path, value } of SPEC_DEFAULTS) setIfMissing(result, path, value);
  return result;
}

/**
 * Sets `path` to `value` when it is absent. A section the user set to something that is not
 * an object (e.g. `apm: true`) is left alone: the API server or the renderer reports it.
 */
function setIfMissing(target: JsonObject, path: string[], value: Json): void {
  let node: JsonObject = target;
  for (const key of path.slice(0, -1)) {
    if (node[key] === undefined) node[key] = {};
    const next = node[key];
    if (!isJsonObject(next)) return;
    node = next;
  }
  const last = path[path.length - 1]!;
  if (node[last] === undefined) node[last] = structuredClone(value);
}
