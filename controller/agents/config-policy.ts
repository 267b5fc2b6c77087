// What an experiment or a restore may bring into a DatadogAgent spec beyond what it runs today:
// images only from allowed registries (Datadog's public ones by default), and Secret references
// only to Secrets the agent already references (or ones configured). Whoever may start an
// experiment could otherwise run any image on every node, or point an env var at any Secret
// of the namespace and have the agent read it. Only what the candidate adds is checked, so an
// agent already running from a private mirror can still take experiments that leave images alone.
import { isJsonObject } from "../../lib/merge-patch";

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
 * Why `candidate` may not replace `current` under `policy`, or null when it may. Only images
 * and Secret references the current spec does not already have are judged.
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
  return problems.length > 0 ? problems.join("; ") : null;
}
