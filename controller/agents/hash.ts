// Revision identity, as upstream: the first 10 hex characters of md5(JSON of the defaulted
// spec), and the ControllerRevision name `<agent>-<hash>`.
//
// Upstream serializes the Go struct, whose field order is the struct's declaration order; that
// order cannot be reproduced from an untyped spec, so fleetdeck hashes JSON with keys sorted at
// every level. The hash is deterministic and stable across fleetdeck versions, but is not
// byte-for-byte the one the Go operator would compute for the same spec.
import { createHash } from "node:crypto";
import { canonicalJson } from "../../lib/merge-patch";
import { applyDefaults } from "./defaults";

export const REVISION_HASH_LENGTH = 10;

/** Hash of a spec that is already defaulted. */
export function hashDefaultedSpec(defaulted: unknown): string {
  return createHash("md5").update(canonicalJson(defaulted)).digest("hex").slice(0, REVISION_HASH_LENGTH);
}

/** Hash of a raw spec: defaults first, then md5. */
export function specHash(spec: unknown): string {
  return hashDefaultedSpec(applyDefaults(spec));
}

export function revisionName(agentName: string, hash: string): string {
  return `${agentName}-${hash}`;
}

/** The hash part of a revision name of this agent, or undefined when the name is not one. */
export function hashOfRevisionName(agentName: string, revision: string): string | undefined {
  const prefix = `${agentName}-`;
  if (!revision.startsWith(prefix)) return undefined;
  const hash = revision.slice(prefix.length);
  return /^[0-9a-f]{10}$/.test(hash) ? hash : undefined;
}
