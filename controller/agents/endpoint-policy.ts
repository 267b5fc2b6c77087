// Where a DatadogAgent spec sends the agents' data, and with it their API key: the site, the
// intake and proxy URLs of the spec's fields (datadog-operator v2alpha1: global.site,
// global.endpoint.url, features.orchestratorExplorer.ddUrl, features.externalMetricsServer
// .endpoint.url) and of env overrides in any env list (global.env, override.<component>.env,
// override.<component>.containers.<name>.env): DD_SITE, DD_DD_URL, DD_URL, every *_DD_URL and
// *_ENDPOINT(S) of the agent's config (logs, APM, process, orchestrator explorer, additional
// endpoints), DD_PROXY_HTTP(S) and HTTP(S)_PROXY. config-policy.ts judges them: whoever may start
// an experiment must not be able to point every node at their own host.
import { isJsonObject } from "../../lib/merge-patch";

/** Datadog's sites (docs.datadoghq.com/getting_started/site): each allows its subdomains (app., trace.agent., …). */
export const DATADOG_SITES = [
  "datadoghq.com",
  "us3.datadoghq.com",
  "us5.datadoghq.com",
  "datadoghq.eu",
  "ap1.datadoghq.com",
  "ap2.datadoghq.com",
  "ddog-gov.com",
] as const;

export interface Destination {
  /** Where in the spec: "global.site", "override.nodeAgent.env[2] (DD_DD_URL)". */
  path: string;
  /** The host data goes to (lower case, no port), or why fleetdeck cannot tell. */
  host: string | { unreadable: string; identity: string };
}

/**
 * Env variables that name a destination: DD_SITE, DD_DD_URL, DD_URL, DD_LOGS_CONFIG_LOGS_DD_URL,
 * DD_APM_DD_URL, DD_ADDITIONAL_ENDPOINTS, DD_EXTERNAL_METRICS_PROVIDER_ENDPOINT, DD_PROXY_HTTPS,
 * HTTPS_PROXY… Not DD_PROXY_NO_PROXY (hosts reached directly, not a destination) and not the
 * agent's own listeners (DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_GRPC_ENDPOINT).
 */
const DESTINATION_ENV = /^(DD_(?:[A-Z0-9_]*_)?(?:SITE|URL|ENDPOINTS?|PROXY_HTTPS?)|HTTPS?_PROXY)$/;
const LISTENER_ENV = /_RECEIVER_/;

export function isDestinationEnv(name: string): boolean {
  const upper = name.toUpperCase();
  return DESTINATION_ENV.test(upper) && !LISTENER_ENV.test(upper);
}

/** Keys of a JSON value (additional endpoints) whose string values are hosts or URLs. */
const HOST_FIELD = /host|url|endpoint|site/i;
/** What a URL or host may be made of (RFC 3986); anything else (a backslash, a space) is not judged as a host. */
const URL_CHARACTERS = /^[A-Za-z0-9._~:/?#[\]@!$&'()*+,;=%-]+$/;
const HOST = /^(?:[a-z0-9-]+\.)*[a-z0-9-]+$|^\[[0-9a-f:.]+\]$/;

/** The host of a URL ("https://u@intake.example:443/x") or of a bare host ("intake.example:10516"). */
export function hostOf(value: string): string | undefined {
  const text = value.trim();
  if (text === "" || !URL_CHARACTERS.test(text)) return undefined;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return undefined;
  }
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  return HOST.test(host) ? host : undefined;
}

/**
 * The hosts a destination value names: one URL or host, or a JSON value (DD_ADDITIONAL_ENDPOINTS
 * maps URLs to API keys; the logs' additional endpoints are a list of {Host, Port}). Undefined
 * when it cannot be read.
 */
export function hostsIn(value: string): string[] | undefined {
  const text = value.trim();
  if (text === "") return [];
  if (!/^[[{]/.test(text)) {
    const host = hostOf(text);
    return host === undefined ? undefined : [host];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const hosts: string[] = [];
  let unreadable = false;
  const add = (candidate: string) => {
    const host = hostOf(candidate);
    if (host === undefined) unreadable = true;
    else hosts.push(host);
  };
  const visit = (node: unknown, key: string) => {
    if (Array.isArray(node)) node.forEach((item) => visit(item, key));
    else if (isJsonObject(node)) {
      for (const [k, v] of Object.entries(node)) {
        // A URL as a key maps to API keys, not hosts: its values are read under no name.
        if (k.includes("://")) add(k);
        visit(v, k.includes("://") ? "" : k);
      }
    } else if (typeof node === "string" && (HOST_FIELD.test(key) || node.includes("://"))) add(node);
  };
  visit(parsed, "");
  return unreadable ? undefined : hosts;
}

/** Every destination a spec names, with where. */
export function destinations(spec: unknown): Destination[] {
  const found: Destination[] = [];
  const add = (path: string, value: string, what: string) => {
    const hosts = hostsIn(value);
    if (hosts === undefined) {
      found.push({ path, host: { unreadable: `${what} cannot be read as a URL or host`, identity: value } });
    } else for (const host of hosts) found.push({ path, host });
  };
  const s = isJsonObject(spec) ? spec : {};
  const global = isJsonObject(s.global) ? s.global : {};
  if (typeof global.site === "string") add("global.site", global.site, "the site");
  const walk = (node: unknown, path: string) => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, `${path}[${i}]`));
      return;
    }
    if (!isJsonObject(node)) return;
    for (const [key, child] of Object.entries(node)) {
      const at = path ? `${path}.${key}` : key;
      if (key === "ddUrl" && typeof child === "string") add(at, child, "the URL");
      else if (key === "endpoint" && isJsonObject(child) && typeof child.url === "string")
        add(`${at}.url`, child.url, "the URL");
      else if ((key === "env" || key === "ddTraceConfigs") && Array.isArray(child))
        envDestinations(child, at, found, add);
      walk(child, at);
    }
  };
  walk(s, "");
  return found;
}

function envDestinations(
  env: unknown[],
  path: string,
  found: Destination[],
  add: (path: string, value: string, what: string) => void,
) {
  env.forEach((entry, i) => {
    if (!isJsonObject(entry) || typeof entry.name !== "string" || !isDestinationEnv(entry.name)) return;
    const at = `${path}[${i}] (${entry.name})`;
    if (typeof entry.value === "string") add(at, entry.value, "its value");
    else if (entry.valueFrom !== undefined) {
      // A value read elsewhere (a ConfigMap, a Secret, a field) cannot be judged here.
      found.push({
        path: at,
        host: { unreadable: "its value comes from valueFrom", identity: JSON.stringify(entry.valueFrom) },
      });
    }
  });
}

/** Whether `host` is `domain` or lies under it (label-wise, never by suffix: "evildatadoghq.com" is not). */
export function inDomain(host: string, domain: string): boolean {
  const d = hostOf(domain) ?? domain.toLowerCase();
  return host === d || host.endsWith(`.${d}`);
}
