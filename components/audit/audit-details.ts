// An audit row's details as a person reads them: labelled fields, in the order written, with
// names spelled out (`podStoreEager` → "Pod store eager") and known ones named as people say
// them. Nested objects become "parent › child" fields; the raw JSON stays one click away.

export interface DetailField {
  label: string;
  value: string;
}

/** Names people would use for the keys the controller and the dashboard write. */
const LABELS: Record<string, string> = {
  auth: "Signed in with",
  client: "Client address",
  access: "Authorization",
  controller: "Controller",
  controllerId: "Controller",
  experimentId: "Experiment",
  baselineRevision: "Baseline revision",
  candidateRevision: "Candidate revision",
  previousDisabledUntil: "Spot was disabled until",
  retentionDays: "Retention (days)",
  before: "Older than",
};

const MAX_DEPTH = 3;

/** "podStoreEager" / "pod_store_eager" → "Pod store eager". */
function spelled(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const labelOf = (key: string) => LABELS[key] ?? spelled(key);

function scalar(value: unknown): string | undefined {
  if (value === null || value === undefined) return "—";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "string" || typeof value === "number") return String(value);
  if (Array.isArray(value) && value.every((v) => v === null || typeof v !== "object"))
    return value.length ? value.map((v) => scalar(v)).join(", ") : "none";
  return undefined;
}

export function detailFields(details: Record<string, unknown>, depth = 0, prefix = ""): DetailField[] {
  return Object.entries(details).flatMap(([key, value]): DetailField[] => {
    const label = prefix ? `${prefix} › ${labelOf(key)}` : labelOf(key);
    const text = scalar(value);
    if (text !== undefined) return [{ label, value: text }];
    if (depth + 1 < MAX_DEPTH && value && typeof value === "object" && !Array.isArray(value))
      return detailFields(value as Record<string, unknown>, depth + 1, label);
    return [{ label, value: JSON.stringify(value) }];
  });
}
