// The agent's Datadog credentials, as the operator handles them (pkg/secrets, global/
// dependencies.go): `credentials.apiSecret` / `appSecret` reference a Secret the user made; a
// literal `apiKey` / `appKey` becomes a Secret `<agent>-secret` (keys api_key, app_key) that
// fleetdeck owns (ownerReference to the agent, deleted with it). Either way the workloads get
// DD_API_KEY / DD_APP_KEY from a secretKeyRef, never the literal. The literal is only copied into
// that Secret: never logged, stored, shown or forwarded by fleetdeck.
import { createHash } from "node:crypto";
import { isJsonObject, type JsonObject } from "../../lib/merge-patch";
import { isNotFound, resourcePath, statusCode, type KubeClient } from "../kube/client";
import type { DatadogAgent } from "./api";
import { AGENT_UID_LABEL, MANAGED_BY_LABEL, ownerReference } from "./revisions";

/** Upstream's key names in the Secret it makes (v2alpha1 DefaultAPIKeyKey / DefaultAPPKeyKey). */
export const API_KEY_KEY = "api_key";
export const APP_KEY_KEY = "app_key";

/** Upstream's name of the Secret a literal key goes to (GetDefaultCredentialsSecretName). */
export function credentialsSecretName(agentName: string): string {
  return `${agentName}-secret`;
}

export interface SecretKeyRef {
  name: string;
  key: string;
  /** Where the spec asks for it, for messages: "global.credentials.apiSecret". */
  from: string;
}

export interface Credentials {
  /** DD_API_KEY's source; undefined when the spec has no API key at all. */
  apiKey?: SecretKeyRef;
  appKey?: SecretKeyRef;
  /** The Secret fleetdeck makes for literal keys: its data, by key. */
  owned?: Record<string, string>;
}

/** A Secret reference upstream accepts (IsValidSecretConfig): both the name and the key. */
function validRef(value: unknown): { secretName: string; keyName: string } | undefined {
  if (!isJsonObject(value)) return undefined;
  const { secretName, keyName } = value;
  return typeof secretName === "string" && secretName && typeof keyName === "string" && keyName
    ? { secretName, keyName }
    : undefined;
}

/** Where DD_API_KEY and DD_APP_KEY come from, for a spec (pure). */
export function credentialsOf(agentName: string, spec: JsonObject): Credentials {
  const global = isJsonObject(spec.global) ? spec.global : {};
  const creds = isJsonObject(global.credentials) ? global.credentials : {};
  const owned: Record<string, string> = {};
  const ownedName = credentialsSecretName(agentName);
  const pick = (
    secretField: "apiSecret" | "appSecret",
    literalField: "apiKey" | "appKey",
    ownedKey: string,
  ): SecretKeyRef | undefined => {
    const ref = validRef(creds[secretField]);
    if (ref) return { name: ref.secretName, key: ref.keyName, from: `global.credentials.${secretField}` };
    const literal = creds[literalField];
    if (typeof literal !== "string" || literal === "") return undefined;
    owned[ownedKey] = literal;
    return { name: ownedName, key: ownedKey, from: `global.credentials.${literalField}` };
  };
  const apiKey = pick("apiSecret", "apiKey", API_KEY_KEY);
  const appKey = pick("appSecret", "appKey", APP_KEY_KEY);
  return {
    ...(apiKey ? { apiKey } : {}),
    ...(appKey ? { appKey } : {}),
    ...(Object.keys(owned).length > 0 ? { owned } : {}),
  };
}

/** A fingerprint of the owned Secret's data, so it is re-applied only when it changes. */
export function ownedSecretFingerprint(data: Record<string, string>): string {
  return createHash("sha256")
    .update(JSON.stringify(Object.entries(data).sort()))
    .digest("hex");
}

/**
 * Writes the Secret holding the agent's literal keys, owned by the agent: a JSON patch of its
 * data that first tests the Secret is this agent's, or a create when there is none. A Secret of
 * that name that is not this agent's (the user's own) is left alone: the reason comes back, for
 * the agent's condition. Neither needs to read a Secret (no `get` in the controller's RBAC).
 */
export async function applyOwnedSecret(
  client: KubeClient,
  agent: DatadogAgent,
  data: Record<string, string>,
): Promise<string | null> {
  const name = credentialsSecretName(agent.metadata.name);
  const namespace = agent.metadata.namespace;
  const encoded = Object.fromEntries(
    Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString("base64")]),
  );
  try {
    await client.jsonPatch(resourcePath({ version: "v1", resource: "secrets", namespace, name }), [
      { op: "test", path: "/metadata/ownerReferences/0/uid", value: agent.metadata.uid },
      { op: "replace", path: "/data", value: encoded },
    ]);
    return null;
  } catch (error) {
    if (statusCode(error) === 422) {
      return `Secret ${namespace}/${name}, where the literal keys of global.credentials go, exists and is not this DatadogAgent's: fleetdeck does not overwrite it (reference it with credentials.apiSecret, or remove it)`;
    }
    if (!isNotFound(error)) throw error;
  }
  // A create racing another one meets AlreadyExists (409): retried through the queue.
  await client.create(resourcePath({ version: "v1", resource: "secrets", namespace }), {
    apiVersion: "v1",
    kind: "Secret",
    type: "Opaque",
    metadata: {
      name,
      namespace,
      labels: { [MANAGED_BY_LABEL]: "fleetdeck", [AGENT_UID_LABEL]: agent.metadata.uid! },
      ownerReferences: [ownerReference(agent)],
    },
    data: encoded,
  });
  return null;
}

/**
 * Why a referenced Secret cannot give the agent its key (missing Secret, or no such key in it),
 * one message per reference; empty when every one can, or when the controller may not list the
 * namespace's Secrets (the namespaced Helm RBAC, docs/deploy.md): then it cannot tell. Listed by
 * name (the list the Helm forwarder's RBAC grants); only the key names are kept.
 */
export async function missingSecretRefs(
  client: KubeClient,
  namespace: string,
  refs: SecretKeyRef[],
): Promise<string[]> {
  const problems: string[] = [];
  const keysOf = new Map<string, string[] | null>();
  for (const ref of refs) {
    if (!keysOf.has(ref.name)) {
      try {
        const list = await client.list<{ data?: Record<string, string> }>(
          resourcePath({ version: "v1", resource: "secrets", namespace }),
          { fieldSelector: `metadata.name=${ref.name}` },
        );
        keysOf.set(ref.name, list.items[0] ? Object.keys(list.items[0].data ?? {}) : null);
      } catch (error) {
        if (statusCode(error) === 403) return [];
        throw error;
      }
    }
    const keys = keysOf.get(ref.name);
    if (keys === null) problems.push(`Secret ${namespace}/${ref.name} (${ref.from}) does not exist`);
    else if (!keys?.includes(ref.key))
      problems.push(`Secret ${namespace}/${ref.name} (${ref.from}) has no key "${ref.key}"`);
  }
  return problems;
}
