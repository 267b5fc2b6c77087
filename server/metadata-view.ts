// How the dashboard shows a sent payload: its JSON-string fields (crd_spec_full, crd_labels,
// crd_annotations) and YAML-string fields (helm_*_configuration) expanded, as YAML with sorted
// keys, so a diff between two sends reads line by line.
import YAML from "yaml";

const JSON_FIELDS = new Set(["crd_spec_full", "crd_labels", "crd_annotations"]);
const YAML_FIELDS = new Set(["helm_provided_configuration", "helm_full_configuration"]);

function expand(value: unknown, key = ""): unknown {
  if (typeof value === "string" && (JSON_FIELDS.has(key) || YAML_FIELDS.has(key))) {
    try {
      return JSON_FIELDS.has(key) ? JSON.parse(value) : YAML.parse(value);
    } catch {
      return value;
    }
  }
  if (Array.isArray(value)) return value.map((v) => expand(v));
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v, k)]));
  return value;
}

/** The payload as readable YAML; the raw text when it is not JSON. */
export function payloadView(payload: string): string {
  if (!payload) return "";
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return payload;
  }
  return YAML.stringify(expand(parsed), { sortMapEntries: true, lineWidth: 0 });
}
