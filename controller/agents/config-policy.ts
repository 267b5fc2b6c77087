// What an experiment or a restore may bring into a DatadogAgent spec beyond what it runs today:
// images only from allowed registries (Datadog's public ones by default), Secret references
// only to Secrets the agent already references (or ones configured), and destinations of the
// agents' data (site, intake and proxy URLs) only on allowed hosts (Datadog's sites by default).
// Whoever may start an experiment could otherwise run any image on every node, point an env var
// at any Secret of the namespace and have the agent read it, or have every node send its API
// key and telemetry to their own host. Only what the candidate adds is checked, so an agent
// already running from a private mirror, or through its own proxy, can still take experiments
// that leave those alone. policyViolation is the one entry: commands and signals call it.
import { isJsonObject } from "../../lib/merge-patch";
import { destinations, inDomain } from "./endpoint-policy";

/** Datadog's public registries (the images its Helm chart and operator document). */
export const DATADOG_REGISTRIES = [
  "gcr.io/datadoghq",
  "eu.gcr.io/datadoghq",
  "asia.gcr.io/datadoghq",
  "datadoghq.azurecr.io",
  "public.ecr.aws/datadog",
  "docker.io/datadog",
  "registry.datadoghq.com",
] as const;

/** The registry render.ts uses when spec.global.registry is unset. */
const DEFAULT_REGISTRY = "gcr.io/datadoghq";

export interface ConfigPolicy {
  /** Registry prefixes images may come from, or "any". */
  registries: readonly string[] | "any";
  /** Secrets a spec may reference besides those the agent already references, or "any". */
  secrets: readonly string[] | "any";
  /** Hosts (each with its subdomains) the agents may send data to besides those the spec already uses, or "any". */
  endpoints: readonly string[] | "any";
}

interface Found {
  value: string;
  /** Where in the spec, e.g. "override.nodeAgent.image.name". */
  path: string;
}

/**
 * Where the images of a spec come from, as render.ts resolves them: the registry of the default
 * images (spec.global.registry), and every override image name (a name with a "/" is a whole
 * repository, a bare name lives in that registry). Tags and digests are left out.
 */
export function imageSources(spec: unknown): Found[] {
  const s = isJsonObject(spec) ? spec : {};
  const global = isJsonObject(s.global) ? s.global : {};
  const registry = typeof global.registry === "string" ? global.registry : DEFAULT_REGISTRY;
  const found: Found[] = [{ value: normalizeRepository(registry), path: "global.registry" }];
  const override = isJsonObject(s.override) ? s.override : {};
  for (const [component, section] of Object.entries(override)) {
    const image = isJsonObject(section) ? section.image : undefined;
    const name = isJsonObject(image) ? image.name : undefined;
    if (typeof name !== "string") continue;
    const repository = name.includes("/") ? name : `${registry}/${name}`;
    found.push({ value: normalizeRepository(repository), path: `override.${component}.image.name` });
  }
  return found;
}

/**
 * A repository in canonical form: without tag or digest, Docker Hub's implicit host made
 * explicit ("datadog/agent" → "docker.io/datadog/agent"), the host lower-cased.
 */
export function normalizeRepository(reference: string): string {
  let repo = reference.trim().split("@")[0]!;
  const lastSlash = repo.lastIndexOf("/");
  const tag = repo.indexOf(":", lastSlash + 1);
  if (tag !== -1 && lastSlash !== -1) repo = repo.slice(0, tag);
  repo = repo.replace(/\/+$/, "");
  const [first = "", ...rest] = repo.split("/");
  const isHost = rest.length > 0 && (first.includes(".") || first.includes(":") || first === "localhost");
  if (!isHost) return `docker.io/${repo}`;
  const host = first.toLowerCase();
  const canonical = host === "index.docker.io" || host === "registry-1.docker.io" ? "docker.io" : host;
  return [canonical, ...rest].join("/");
}

/** Whether `repository` is `registry` or lies under it (path-segment wise, never by prefix). */
export function inRegistry(repository: string, registry: string): boolean {
  const r = normalizeRepository(registry);
  return repository === r || repository.startsWith(`${r}/`);
}

/**
 * Every Secret a spec names: `valueFrom.secretKeyRef.name`, `envFrom[].secretRef.name`, and
 * `secretName` fields (the credentials' apiSecret/appSecret, secret volumes).
 */
export function secretReferences(spec: unknown): Found[] {
  const found: Found[] = [];
  const walk = (value: unknown, path: string) => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, `${path}[${i}]`));
      return;
    }
    if (!isJsonObject(value)) return;
    for (const [key, child] of Object.entries(value)) {
      const at = path ? `${path}.${key}` : key;
      if ((key === "secretKeyRef" || key === "secretRef") && isJsonObject(child)) {
        if (typeof child.name === "string") found.push({ value: child.name, path: at });
      } else if (key === "secretName" && typeof child === "string") {
        found.push({ value: child, path: at });
      }
      walk(child, at);
    }
  };
  walk(spec, "");
  return found;
}

/**
 * Why `candidate` may not replace `current` under `policy`, or null when it may. Only images,
 * Secret references and destinations the current spec does not already have are judged.
 */
export function policyViolation(candidate: unknown, current: unknown, policy: ConfigPolicy): string | null {
  const problems: string[] = [];
  if (policy.registries !== "any") {
    const running = new Set(imageSources(current).map((f) => f.value));
    const allowed = policy.registries;
    for (const { value, path } of imageSources(candidate)) {
      if (running.has(value) || allowed.some((r) => inRegistry(value, r))) continue;
      problems.push(
        `image repository "${value}" (${path}) is not from an allowed registry (${allowed.join(", ")}; FLEETDECK_ALLOWED_IMAGE_REGISTRIES)`,
      );
    }
  }
  if (policy.secrets !== "any") {
    const used = new Set(secretReferences(current).map((f) => f.value));
    const extra = policy.secrets;
    for (const { value, path } of secretReferences(candidate)) {
      if (used.has(value) || extra.includes(value)) continue;
      const known = [...used, ...extra];
      problems.push(
        `Secret "${value}" (${path}) is not one this DatadogAgent already references (${known.length > 0 ? known.join(", ") : "none"}; FLEETDECK_ALLOWED_SECRET_REFERENCES adds more)`,
      );
    }
  }
  if (policy.endpoints !== "any") problems.push(...endpointProblems(candidate, current, policy.endpoints));
  return problems.length > 0 ? problems.join("; ") : null;
}

/**
 * Destinations of the candidate on a host neither allowed nor already used by the current spec
 * (a host it uses allows its subdomains, as the site does), and destinations fleetdeck cannot
 * read (a value from valueFrom) unless the current spec has the same.
 */
function endpointProblems(candidate: unknown, current: unknown, allowed: readonly string[]): string[] {
  const used = destinations(current);
  const usedHosts = used.flatMap((d) => (typeof d.host === "string" ? [d.host] : []));
  const usedOpaque = new Set(used.flatMap((d) => (typeof d.host === "string" ? [] : [d.host.identity])));
  const list = `${allowed.length > 0 ? allowed.join(", ") : "none"}; FLEETDECK_ALLOWED_ENDPOINTS`;
  const problems: string[] = [];
  for (const { path, host } of destinations(candidate)) {
    if (typeof host !== "string") {
      if (usedOpaque.has(host.identity)) continue;
      problems.push(
        `${path}: ${host.unreadable}, so fleetdeck cannot tell where the agents would send data (${list})`,
      );
    } else if (![...allowed, ...usedHosts].some((domain) => inDomain(host, domain))) {
      problems.push(
        `endpoint host "${host}" (${path}) is not an allowed destination for the agents' data (${list})`,
      );
    }
  }
  return [...new Set(problems)];
}
