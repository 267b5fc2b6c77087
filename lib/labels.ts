// Labels and label selectors, as Kubernetes spells them: a cluster's labels
// (FLEETDECK_CLUSTER_LABELS=env=prod,region=eu, docs/fleet-experiments.md) and the selectors a fleet
// experiment picks clusters and DatadogAgents with. Shared by the controller (which parses its
// cluster's labels), the dashboard (which plans) and the fleet driver.

export type Labels = Record<string, string>;

// apimachinery's validation: an optional DNS-subdomain prefix and a name of 1-63 characters.
const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** Why a label key is not valid, or null. */
export function labelKeyProblem(key: string): string | null {
  const slash = key.indexOf("/");
  const [prefix, name] = slash === -1 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !PREFIX.test(prefix))) {
    return `label key "${key}": the prefix must be a DNS subdomain (lower-case letters, digits, '-', '.')`;
  }
  if (!NAME.test(name)) {
    return `label key "${key}": the name must be 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
  }
  return null;
}

/** Why a label value is not valid, or null. */
export function labelValueProblem(key: string, value: string): string | null {
  return VALUE.test(value)
    ? null
    : `label ${key}: the value "${value}" must be at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
}

/**
 * Parses `env=prod,region=eu` (spaces around items allowed; empty text: no labels). Throws an
 * Error naming the first bad item.
 */
export function parseLabels(text: string): Labels {
  const labels: Labels = {};
  for (const raw of text.split(",")) {
    const item = raw.trim();
    if (item === "") continue;
    const eq = item.indexOf("=");
    if (eq === -1) throw new Error(`"${item}" is not key=value`);
    const key = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    const problem = labelKeyProblem(key) ?? labelValueProblem(key, value);
    if (problem) throw new Error(problem);
    if (Object.hasOwn(labels, key)) throw new Error(`label ${key} is given twice`);
    labels[key] = value;
  }
  return labels;
}

/** `env=prod,region=eu`, keys sorted. */
export function formatLabels(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(",");
}

/** Labels stored as JSON (the Cluster and Agent rows); anything else reads as none. */
export function decodeLabels(text: string | null | undefined): Labels {
  if (!text) return {};
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== "object" || value === null || Array.isArray(value)) return {};
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).filter(([, v]) => typeof v === "string"),
    ) as Labels;
  } catch {
    return {};
  }
}

export type Requirement =
  | { key: string; op: "=" | "!="; value: string }
  | { key: string; op: "in" | "notin"; values: string[] }
  | { key: string; op: "exists" | "!exists" };

/** A parsed selector: every requirement must hold (an empty selector matches everything). */
export type Selector = Requirement[];

/**
 * Parses a label selector as kubectl's `-l` takes it: `env=prod`, `env==prod`, `env!=prod`,
 * `env in (prod,staging)`, `env notin (dev)`, `gpu`, `!gpu`, joined by commas. Throws an Error
 * saying what is wrong and where.
 */
export function parseSelector(text: string): Selector {
  const requirements: Selector = [];
  let rest = text.trim();
  while (rest.length > 0) {
    const match =
      /^(!?)\s*([^\s,=!()]+)\s*(?:(==|=|!=)\s*([^\s,()]*)|\s(in|notin)\s*\(([^)]*)\))?\s*(?:,|$)/.exec(rest);
    if (!match) throw new Error(`cannot read the selector at "${rest}"`);
    const [whole, not, key, eqOp, eqValue, setOp, setValues] = match;
    const keyProblem = labelKeyProblem(key!);
    if (keyProblem) throw new Error(keyProblem);
    if (not && (eqOp || setOp)) throw new Error(`"!${key}" takes no value`);
    if (eqOp) {
      const problem = labelValueProblem(key!, eqValue ?? "");
      if (problem) throw new Error(problem);
      requirements.push({ key: key!, op: eqOp === "!=" ? "!=" : "=", value: eqValue ?? "" });
    } else if (setOp) {
      const values = (setValues ?? "")
        .split(",")
        .map((v) => v.trim())
        .filter((v) => v !== "");
      if (values.length === 0) throw new Error(`"${key} ${setOp} ()" needs at least one value`);
      for (const v of values) {
        const problem = labelValueProblem(key!, v);
        if (problem) throw new Error(problem);
      }
      requirements.push({ key: key!, op: setOp as "in" | "notin", values });
    } else {
      requirements.push({ key: key!, op: not ? "!exists" : "exists" });
    }
    rest = rest.slice(whole.length).trim();
    if (whole.trimEnd().endsWith(",") && rest.length === 0) throw new Error("the selector ends with a comma");
  }
  return requirements;
}

/** Whether labels satisfy every requirement (apimachinery's semantics: `!=` and `notin` match a missing key). */
export function matchesSelector(selector: Selector, labels: Labels): boolean {
  return selector.every((r) => {
    const has = Object.hasOwn(labels, r.key);
    const value = labels[r.key];
    switch (r.op) {
      case "=":
        return has && value === r.value;
      case "!=":
        return !has || value !== r.value;
      case "in":
        return has && r.values.includes(value!);
      case "notin":
        return !has || !r.values.includes(value!);
      case "exists":
        return has;
      case "!exists":
        return !has;
    }
  });
}

/** Why a selector text does not parse, or null. */
export function selectorProblem(text: string): string | null {
  try {
    parseSelector(text);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}
