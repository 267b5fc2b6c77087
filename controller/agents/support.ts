// What of the DatadogAgent spec fleetdeck's renderer (render.ts) turns into what runs. The
// operator's API is much larger (its CRD is ~800 KB of schema); fleetdeck renders the part its
// features need and says which fields of a spec it leaves aside, instead of dropping them
// silently: the agent's condition FleetdeckUnsupportedFields and its page list them.
import { isJsonObject, type Json } from "../../lib/merge-patch";

/** `true`: the field and everything under it is rendered; an object: only the fields it lists. */
type Support = true | { [field: string]: Support };

const IMAGE: Support = { name: true, tag: true, jmxEnabled: true };
const COMPONENT: Support = { env: true, tolerations: true, nodeSelector: true, image: IMAGE };
const ENABLED_ONLY: Support = { enabled: true };

/** The rendered part of the spec (docs/experiments.md, "Rendering"). */
export const RENDERED: Support = {
  global: {
    site: true,
    clusterName: true,
    logLevel: true,
    tags: true,
    registry: true,
    credentials: { apiKey: true, apiSecret: true, appKey: true, appSecret: true },
  },
  features: {
    apm: ENABLED_ONLY,
    logCollection: ENABLED_ONLY,
    npm: ENABLED_ONLY,
    liveProcessCollection: ENABLED_ONLY,
  },
  override: {
    nodeAgent: COMPONENT,
    clusterAgent: { ...COMPONENT, replicas: true },
  },
};

/**
 * The operator's preview features are annotations on the DatadogAgent (`agent.datadoghq.com/...`,
 * its revisions keep those with `.datadoghq.com/` in their key); fleetdeck acts on none of them.
 * The experiment and fleet annotations are signals, not configuration.
 */
function previewAnnotations(annotations: Record<string, string>): string[] {
  return Object.keys(annotations)
    .filter(
      (k) =>
        k.includes(".datadoghq.com/") &&
        !k.startsWith("experiment.datadoghq.com/") &&
        !k.startsWith("fleet.datadoghq.com/"),
    )
    .sort()
    .map((k) => `metadata.annotations[${k}]`);
}

/**
 * The fields of `spec` fleetdeck does not render, each at the shallowest level that is wholly
 * unsupported ("features.cws", "override.nodeAgent.containers"), then the operator's preview
 * feature annotations it has. A feature the spec turns off (`enabled: false`, nothing else) is
 * not listed: leaving it aside changes nothing.
 */
export function unsupportedFields(
  spec: Json | undefined,
  annotations: Record<string, string> = {},
): string[] {
  const found: string[] = [];
  const walk = (value: Json, support: Support, path: string) => {
    if (support === true || !isJsonObject(value)) return;
    for (const [key, child] of Object.entries(value)) {
      if (child === null) continue;
      const at = path ? `${path}.${key}` : key;
      const rule = support[key];
      if (rule === undefined) {
        if (!(path === "features" && isOff(child))) found.push(at);
      } else {
        walk(child, rule, at);
      }
    }
  };
  if (spec !== undefined) walk(spec, RENDERED, "");
  return [...found, ...previewAnnotations(annotations)];
}

function isOff(feature: Json): boolean {
  return isJsonObject(feature) && feature.enabled === false && Object.keys(feature).length === 1;
}
