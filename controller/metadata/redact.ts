// Secrets never leave fleetdeck: values under keys that look secret (apiKey, appKey, token,
// password, secret...) are replaced before a payload is sent, stored or shown. Helm values
// often carry `datadog.apiKey`; a DatadogAgent may hold `credentials.apiKey` inline.
import { REDACTED } from "../../lib/metadata";

// Compared against the key lower-cased without "-", "_" and ".", by suffix: "datadogApiKey",
// "cluster_agent.token" and "DB_PASSWORD" all match; "secretName" and "keyName" do not.
const SECRET_SUFFIXES = [
  "apikey",
  "appkey",
  "applicationkey",
  "token",
  "password",
  "passwd",
  "secret",
  "secretkey",
  "privatekey",
  "accesskey",
  "credential",
  "credentials",
];

export function isSecretKey(key: string): boolean {
  const normalized = key.toLowerCase().replace(/[-_.]/g, "");
  return SECRET_SUFFIXES.some((suffix) => normalized.endsWith(suffix));
}

/**
 * A deep copy with every non-empty scalar under a secret-looking key replaced by "[redacted]".
 * Objects under such keys are walked, not dropped (`credentials.apiSecret.secretName` names a
 * Secret, it is not one). Environment-variable entries `{name: "DD_API_KEY", value: "..."}`
 * are redacted by their name.
 */
export function redactSecrets<T>(value: T): T {
  return walk(value) as T;
}

function walk(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(walk);
  if (value === null || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  const envStyle = typeof obj.name === "string" && isSecretKey(obj.name) && "value" in obj;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(obj)) {
    const secret = isSecretKey(key) || (envStyle && key === "value");
    out[key] = secret && isNonEmptyScalar(child) ? REDACTED : walk(child);
  }
  return out;
}

function isNonEmptyScalar(value: unknown): boolean {
  // Booleans (`createSecret: true`) say nothing secret; strings and numbers may.
  return (typeof value === "string" && value !== "") || typeof value === "number";
}
