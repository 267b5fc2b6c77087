// The one redactor. Everything fleetdeck stores, shows, logs or sends that came from a spec,
// Helm values or a command goes through it: the metadata payloads (sent as redacted, see
// docs/metadata.md), the send log, the agent and revision read model, the experiment config
// form and the signal endpoint (which refuse what it finds), audit details and every log line.
// Pure and synchronous, shared by the controller and the dashboard. Its rules are listed in
// docs/security.md; test/secret-corpus.ts plants every shape it must catch.
import YAML from "yaml";

/** What is shown in place of a secret wherever one would appear. */
export const REDACTED = "[redacted]";

// ---------------------------------------------------------------------------------------------
// Key names. A key is split into lower-case words at separators and camelCase boundaries
// ("DD_API_KEY", "ddApiKey" and "dd-api.key" are all dd·api·key), so the rules are case- and
// separator-insensitive.

/** The words joined end with one of these: "dbPassword", "DD_API_KEY", "sentry_dsn". */
const SECRET_SUFFIXES = [
  "password",
  "passwords",
  "passwd",
  "passphrase",
  "pwd",
  "secret",
  "secretkey",
  "token",
  "tokens",
  "apikey",
  "apikeys",
  "appkey",
  "appkeys",
  "applicationkey",
  "privatekey",
  "accesskey",
  "signingkey",
  "encryptionkey",
  "masterkey",
  "licensekey",
  "sessionkey",
  "credential",
  "credentials",
  "authorization",
  "cookie",
  "dsn",
  "connectionstring",
  "connstring",
  "connstr",
];
/** The last word is one of these: "mysql_pass", "basic_auth" (but not "bypass" or "oauth"). */
const SECRET_LAST_WORDS = new Set(["pass", "auth"]);
/** URLs of data stores carry their credentials: DATABASE_URL, REDIS_URL, MONGODB_URI. */
const DATA_STORE_URL =
  /(database|db|jdbc|redis|mongo|mongodb|postgres|postgresql|pg|mysql|mariadb|amqp|rabbitmq|broker|sql)(url|uri)$/;
/** A secret word followed by a word saying "this is its value": "passwordValue", "tokenData". */
const SECRET_WORD = /password|passwd|passphrase|secret|token|apikey|appkey|privatekey|credential/;
const VALUE_WORDS = new Set([
  "value",
  "val",
  "data",
  "string",
  "str",
  "text",
  "plain",
  "plaintext",
  "raw",
  "literal",
  "b64",
  "base64",
  "encoded",
  "hex",
  "bytes",
  "content",
  "contents",
  "body",
]);
/** Names of Secrets are references, not secrets: "apiKeyExistingSecret", "secretName". */
const REFERENCE_SUFFIXES = ["existingsecret", "secretname", "secretref", "secretkeyref", "secretkeyname"];

function words(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .map((word) => word.replace(/\d+$/, ""))
    .filter(Boolean);
}

/** Whether a value under this key (or an env entry of this name) is a secret. */
export function isSecretKey(key: string): boolean {
  let known = keyVerdicts.get(key);
  if (known === undefined) {
    known = judgeKey(key);
    // Keys repeat (every spec has the same ones): remember a bounded number of verdicts.
    if (keyVerdicts.size >= 10_000) keyVerdicts.clear();
    keyVerdicts.set(key, known);
  }
  return known;
}

const keyVerdicts = new Map<string, boolean>();

function judgeKey(key: string): boolean {
  const parts = words(key);
  const last = parts.at(-1);
  if (!last) return false;
  const joined = parts.join("");
  if (REFERENCE_SUFFIXES.some((suffix) => joined.endsWith(suffix))) return false;
  return (
    SECRET_SUFFIXES.some((suffix) => joined.endsWith(suffix)) ||
    SECRET_LAST_WORDS.has(last) ||
    DATA_STORE_URL.test(joined) ||
    (VALUE_WORDS.has(last) && SECRET_WORD.test(parts.slice(0, -1).join("")))
  );
}

// ---------------------------------------------------------------------------------------------
// Values that only point at a secret are kept: the agent's secret backend (ENC[name]), an
// autodiscovery template variable (%%env_X%%), an environment reference ($X, ${X}, $(X)) and a
// Helm template ({{ ... }}).
const REFERENCE_VALUE =
  /^(ENC\[[^\]]*\]|%%[A-Za-z0-9_]+%%|\$[A-Za-z_][A-Za-z0-9_]*|\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$\([A-Za-z_][A-Za-z0-9_]*\)|\{\{[^{}]*\}\})$/;

const ALREADY_REDACTED = /^((Bearer|Basic|Token|Digest)\s+)?\[redacted\]?$/i; // "]" may be cut off by a parser
/** Not a secret to replace: empty, already redacted, or a reference. */
const isKept = (value: string) =>
  value === "" || ALREADY_REDACTED.test(value) || REFERENCE_VALUE.test(value.trim());

// ---------------------------------------------------------------------------------------------
// Secrets inside strings.

/** Private keys in PEM (also a block whose end was cut off). Certificates and public keys are public. */
const PEM_PRIVATE_KEY = /-----BEGIN ([A-Z0-9 ]*PRIVATE KEY[A-Z0-9 ]*)-----[\s\S]*?(-----END \1-----|$)/g;
const JWT = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const BEARER = /\b(Bearer)[ \t]+(?!\[redacted\])[A-Za-z0-9._~+/=-]{6,}/gi;
/** scheme://user:password@ and scheme://token@ */
const URL_USERINFO = /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]{0,31}:\/\/)([^\s/?#@"'<>]+)@/gi;
// Every pattern starts only where its run of characters starts (lookbehind), so the work is
// linear in the text: values of anyone's Helm release must not be able to stall the controller.
/** name=, name:, "name": (in free text, command lines, query strings, DSNs), then the value. */
const ASSIGNMENT_NAME = /(?<![A-Za-z0-9_.-])(["']?)(-*[A-Za-z_][A-Za-z0-9_.-]*)\1[ \t]*[:=][ \t]*(?!\/\/)/g;
const ASSIGNMENT_VALUE =
  /"(?:[^"\\\n]|\\.)*"|'[^'\n]*'|(?:(?:Bearer|Basic|Token|Digest)[ \t]+)?(?:\[redacted\]|[^\s,;&"'}\]\\)]+)/y;
/** --password value */
const FLAG_VALUE = /(?<!\S)(--?[A-Za-z][A-Za-z0-9_-]*)[ \t]+(?!-)("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^\s"']+)/g;

const unquote = (value: string) =>
  /^(["']).*\1$/s.test(value) && value.length >= 2 ? value.slice(1, -1) : value;
const requote = (value: string) => (/^["']/.test(value) ? `${value[0]}${REDACTED}${value[0]}` : REDACTED);
const isLiteral = (value: string) => !/^(true|false|null|~|\||>|[|>][-+]?)$/i.test(value);

/** The text rules, in order; each notes what it found in `found`. A rule runs only if its marker is there. */
function redactTextRules(text: string, found: string[], depth: number): string {
  let out = text;
  if (out.includes("-----BEGIN ")) {
    out = out.replace(PEM_PRIVATE_KEY, () => {
      found.push("a private key");
      return REDACTED;
    });
  }
  if (out.includes("eyJ")) {
    out = out.replace(JWT, () => {
      found.push("a JWT");
      return REDACTED;
    });
  }
  if (/bearer/i.test(out)) {
    out = out.replace(BEARER, (_m, scheme: string) => {
      found.push("a bearer token");
      return `${scheme} ${REDACTED}`;
    });
  }
  if (out.includes("://") && out.includes("@")) out = redactUrlCredentials(out, found);
  if (out.includes("=") || out.includes(":")) out = redactAssignments(out, found, depth);
  if (out.includes("-")) {
    out = out.replace(FLAG_VALUE, (match, flag: string, value: string) => {
      if (!isSecretKey(flag) || isKept(unquote(value))) return match;
      found.push(`${flag} …`);
      return `${flag} ${requote(value)}`;
    });
  }
  return out;
}

function redactUrlCredentials(text: string, found: string[]): string {
  return text.replace(URL_USERINFO, (match, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(":");
    if (colon === -1) {
      if (isKept(userinfo)) return match;
      found.push("a URL credential");
      return `${scheme}${REDACTED}@`;
    }
    if (isKept(userinfo.slice(colon + 1))) return match;
    found.push("a URL password");
    return `${scheme}${userinfo.slice(0, colon)}:${REDACTED}@`;
  });
}

/** A string holding YAML or JSON (a check config, a values file): its parsed form, if it is a map or list. */
function parseStructured(text: string): { value: object; json: boolean } | undefined {
  const t = text.trim();
  const bracketed = (t.startsWith("{") && t.endsWith("}")) || (t.startsWith("[") && t.endsWith("]"));
  if (bracketed) {
    try {
      const value: unknown = JSON.parse(t);
      if (value !== null && typeof value === "object") return { value, json: true };
    } catch {
      // perhaps YAML flow style
    }
  }
  // One line of text is free text (a message, a command line): the text rules read it better.
  if (!bracketed && !(t.includes("\n") && /:\s|^-\s/m.test(t))) return undefined;
  try {
    const value: unknown = YAML.parse(t, { logLevel: "silent", maxAliasCount: 100, uniqueKeys: false });
    if (value !== null && typeof value === "object") return { value, json: false };
  } catch {
    // not YAML either: the text rules apply
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The walk.

/** Deeper than this is not inspected: the subtree is replaced (no real spec or values nest so deep). */
const MAX_DEPTH = 64;

interface Walk {
  /** Where a secret was found: "datadog.apiKey", "env[0].value (DB_PASSWORD)", "confd[\"pg.yaml\"] (YAML: instances[0].password)". */
  paths: string[];
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;
const child = (path: string, key: string) =>
  IDENTIFIER.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** The secret-looking `name` (or `key`) of an entry that has a `value`: {name: DB_PASSWORD, value: …}. */
function entryName(obj: Record<string, unknown>): string | undefined {
  if (!("value" in obj)) return undefined;
  for (const field of ["name", "key"]) {
    const name = obj[field];
    if (typeof name === "string" && isSecretKey(name)) return name;
  }
  return undefined;
}

function walk(value: unknown, path: string, w: Walk, depth: number): unknown {
  if (typeof value === "string") return redactStringAt(value, path, w, depth);
  if (depth > MAX_DEPTH && (Array.isArray(value) || isPlainObject(value))) {
    w.paths.push(`${path || "value"} (nested too deep to inspect)`);
    return REDACTED;
  }
  if (Array.isArray(value)) return value.map((item, i) => walk(item, `${path}[${i}]`, w, depth + 1));
  if (!isPlainObject(value)) return value;
  const secretEntry = entryName(value);
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => {
      const at = child(path, key);
      if (secretEntry !== undefined && key === "value")
        return [key, underSecretKey(item, `${at} (${secretEntry})`, w, depth + 1)];
      if (isSecretKey(key)) return [key, underSecretKey(item, at, w, depth + 1)];
      return [key, walk(item, at, w, depth + 1)];
    }),
  );
}

/** A value under a secret key: scalars replaced, list items too; maps are walked (they hold references). */
function underSecretKey(value: unknown, path: string, w: Walk, depth: number): unknown {
  if (typeof value === "number" || (typeof value === "string" && !isKept(value))) {
    w.paths.push(path);
    return REDACTED;
  }
  // "password: [redacted]" in YAML text reads back as a list holding "redacted": already done.
  if (Array.isArray(value) && value.length === 1 && value[0] === "redacted") return value;
  if (Array.isArray(value) && depth <= MAX_DEPTH)
    return value.map((item, i) => underSecretKey(item, `${path}[${i}]`, w, depth + 1));
  return walk(value, path, w, depth);
}

function redactStringAt(text: string, path: string, w: Walk, depth: number): string {
  const found: string[] = [];
  const result = redactString(text, found, depth);
  if (found.length > 0) w.paths.push(`${path || "value"} (${[...new Set(found)].join(", ")})`);
  return result;
}

/**
 * What every rule needs to find something: a secret name's word, a URL's "://", a PEM header, a
 * JWT, a bearer token. A string without any is left alone without parsing it.
 */
const MIGHT_HOLD_A_SECRET =
  /pass|pwd|secret|token|key|credential|auth|dsn|conn|cookie|ur[il]|:\/\/|-----BEGIN|eyJ|bearer/i;

function redactString(text: string, found: string[], depth: number): string {
  if (!MIGHT_HOLD_A_SECRET.test(text)) return text;
  const structured = depth < MAX_DEPTH ? parseStructured(text) : undefined;
  if (structured) {
    const inner: Walk = { paths: [] };
    const redacted = walk(structured.value, "", inner, depth + 1);
    if (inner.paths.length > 0) {
      const format = structured.json ? "JSON" : "YAML";
      found.push(...inner.paths.map((p) => `${format}: ${p}`));
      return structured.json
        ? JSON.stringify(redacted)
        : YAML.stringify(redacted, { lineWidth: 0, aliasDuplicateObjects: false });
    }
    // Nothing in the parsed form; what parsing drops (comments) still gets the text rules.
    if (!text.includes("#")) return text;
  }
  return redactTextRules(text, found, depth);
}

/**
 * name=value pairs: a secret name's value is replaced; a quoted value under another name is
 * redacted inside (checks: '{"token": "…"}'); an unquoted one is read on, as it may hold a pair
 * itself (error: --password=…).
 */
function redactAssignments(text: string, found: string[], depth: number): string {
  const names = new RegExp(ASSIGNMENT_NAME.source, "g");
  const values = new RegExp(ASSIGNMENT_VALUE.source, "y");
  let out = "";
  let copied = 0;
  for (let m = names.exec(text); m; m = names.exec(text)) {
    const name = m[2]!;
    const at = m.index + m[0].length;
    values.lastIndex = at;
    const value = values.exec(text)?.[0];
    if (value === undefined) continue;
    const quoted = /^["']/.test(value);
    let replacement: string | undefined;
    if (isSecretKey(name)) {
      const bare = unquote(value);
      if (!isKept(bare) && isLiteral(bare)) {
        found.push(`${name}=…`);
        replacement = requote(value);
      }
    } else if (quoted) {
      const inner = redactQuoted(value, found, depth);
      if (inner !== value) replacement = inner;
    } else {
      continue;
    }
    names.lastIndex = at + value.length;
    if (replacement === undefined) continue;
    out += text.slice(copied, at) + replacement;
    copied = at + value.length;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** A quoted value ("…" as JSON writes it, '…' as YAML does) with its content redacted. */
function redactQuoted(value: string, found: string[], depth: number): string {
  if (depth >= MAX_DEPTH || value.length < 2) return value;
  if (value.startsWith('"')) {
    let inner: string;
    try {
      inner = JSON.parse(value) as string;
    } catch {
      return value;
    }
    const out = redactString(inner, found, depth + 1);
    return out === inner ? value : JSON.stringify(out);
  }
  if (value.startsWith("'")) {
    const inner = value.slice(1, -1).replace(/''/g, "'");
    const out = redactString(inner, found, depth + 1);
    return out === inner ? value : `'${out.replace(/'/g, "''")}'`;
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// The API.

/** A deep copy with every secret replaced by "[redacted]", and where each one was. The input is untouched. */
export function redact<T>(value: T): { value: T; paths: string[] } {
  const w: Walk = { paths: [] };
  const result = walk(value, "", w, 0) as T;
  return { value: result, paths: w.paths };
}

/** A deep copy with every secret replaced by "[redacted]". */
export function redactSecrets<T>(value: T): T {
  return redact(value).value;
}

/** Where a value holds a literal secret, e.g. "override.nodeAgent.env[0].value (DD_API_KEY)"; [] when none. */
export function secretPaths(value: unknown): string[] {
  return redact(value).paths;
}

/** Free text (a log line, an error message) with every secret the rules recognize replaced. */
export function redactText(text: string): string {
  return redactString(text, [], 0);
}
