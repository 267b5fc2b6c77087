// The one redactor. Everything fleetdeck stores, shows, logs or sends that came from a spec,
// Helm values or a command goes through it: the metadata payloads (sent as redacted, see
// docs/metadata.md), the send log, the agent and revision read model, the experiment config
// form and the signal endpoint (which refuse what it finds), audit details, every log line and
// the dashboard's database status. Pure and synchronous, shared by the controller and the
// dashboard. It finds secrets by the name above them and by their own form (token formats,
// lib/redact-formats.ts). Its rules are listed in docs/security.md; test/secret-corpus.ts plants
// every shape it must catch, and every innocent shape it must leave alone.
import YAML from "yaml";
import {
  BASE64_PEM,
  BASIC_CREDENTIAL,
  DATADOG_KEY_VALUE,
  isBase64PrivateKey,
  isBasicCredential,
  redactWebhookPath,
  TOKEN_FORMATS,
  TOKEN_MARKER,
  URL_WITH_PATH,
} from "./redact-formats";

/** What is shown in place of a secret wherever one would appear. */
export const REDACTED = "[redacted]";

// ---------------------------------------------------------------------------------------------
// Key names. A key is split into lower-case words at separators and camelCase boundaries
// ("DD_API_KEY", "ddApiKey" and "dd-api.key" are all dd·api·key), so the rules are case- and
// separator-insensitive.

/** The words joined end with one of these: "dbPassword", "DD_API_KEY", "sentry_dsn", "tls.key". */
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
  "privkey",
  "accesskey",
  "accountkey",
  "sharedkey",
  "signingkey",
  "encryptionkey",
  "masterkey",
  "licensekey",
  "sessionkey",
  "hmackey",
  "authkey",
  "clientkey",
  "tlskey",
  "sslkey",
  "signature",
  "communitystring",
  "credential",
  "credentials",
  "authorization",
  "cookie",
  "dsn",
  "connectionstring",
  "connstring",
  "connstr",
];
/** The last word is one of these: "mysql_pass", "basic_auth", a query's "sig" (but not "bypass" or "oauth"). */
const SECRET_LAST_WORDS = new Set(["pass", "auth", "sig"]);
/** URLs of data stores carry their credentials: DATABASE_URL, REDIS_URL, MONGODB_URI. */
const DATA_STORE_URL =
  /(database|db|jdbc|redis|mongo|mongodb|postgres|postgresql|pg|mysql|mariadb|amqp|rabbitmq|broker|sql)(url|uri)$/;
/** A secret word followed by a word saying "this is its value": "passwordValue", "client-key-data", "privateKeyPem". */
const SECRET_WORD =
  /password|passwd|passphrase|secret|token|apikey|appkey|privatekey|privkey|clientkey|tlskey|sslkey|authkey|accountkey|credential/;
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
  "pem",
  "der",
]);
/** Names of Secrets are references, not secrets: "apiKeyExistingSecret", "secretName". */
const REFERENCE_SUFFIXES = ["existingsecret", "secretname", "secretref", "secretkeyref", "secretkeyname"];
/** Counts and limits: "maxTokens", "num_tokens". */
const COUNT_WORDS = new Set(["max", "min", "num"]);
/** Where the value may be a file path rather than the key itself: "ssl_key: /etc/ssl/client.key", "PWD=/app". */
const PATH_OR_SECRET = /(privatekey|privkey|clientkey|tlskey|sslkey)$|^pwd$/;
const FILE_PATH = /^(~|\.{1,2})?\/[\w.@-]+(\/[\w.@-]+)*\/?$/;
/**
 * "auth" and "authorization" also name a method or a verdict ("auth": "local" in an audit row,
 * "authorization": "denied"): these words are kept under them.
 */
const AUTH_WORDS = new Set([
  "local",
  "admin-token",
  "api-token",
  "proxy",
  "none",
  "anonymous",
  "kubernetes",
  "oidc",
  "oauth",
  "oauth2",
  "saml",
  "ldap",
  "basic",
  "bearer",
  "token",
  "digest",
  "ntlm",
  "kerberos",
  "negotiate",
  "tls",
  "mtls",
  "x509",
  "cert",
  "certificate",
  "iam",
  "jwt",
  "password",
  "session",
  "header",
  "webhook",
  "rbac",
  "abac",
  "node",
  "allowed",
  "allow",
  "denied",
  "deny",
  "granted",
  "forbidden",
  "unauthorized",
  "required",
  "optional",
  "disabled",
  "enabled",
  "on",
  "off",
  "true",
  "false",
  "ok",
  "sasl",
  "scram-sha-256",
  "scram-sha-512",
  "md5",
  "trust",
  "peer",
  "ident",
  "plain",
  "ssl",
  "default",
  "internal",
  "external",
  "service-account",
]);

function words(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .map((word) => word.replace(/\d+$/, ""))
    .filter(Boolean);
}

interface KeyVerdict {
  /** A value under this name is a secret (unless kept, below). */
  secret: boolean;
  /** Method and verdict words are kept under it ("auth", "authorization"). */
  authWords: boolean;
  /** A file path is kept under it. */
  paths: boolean;
  /** A Datadog key's form (32 or 40 hex) under it is a secret: "key", "dd_api", "app". */
  datadogKey: boolean;
}

const keyVerdicts = new Map<string, KeyVerdict>();

function verdict(key: string): KeyVerdict {
  let known = keyVerdicts.get(key);
  if (known === undefined) {
    known = judgeKey(key);
    // Keys repeat (every spec has the same ones): remember a bounded number of verdicts.
    if (keyVerdicts.size >= 10_000) keyVerdicts.clear();
    keyVerdicts.set(key, known);
  }
  return known;
}

function judgeKey(key: string): KeyVerdict {
  const parts = words(key);
  const last = parts.at(-1) ?? "";
  const joined = parts.join("");
  const secret =
    last !== "" &&
    !COUNT_WORDS.has(parts[0]!) &&
    !REFERENCE_SUFFIXES.some((suffix) => joined.endsWith(suffix)) &&
    (SECRET_SUFFIXES.some((suffix) => joined.endsWith(suffix)) ||
      SECRET_LAST_WORDS.has(last) ||
      DATA_STORE_URL.test(joined) ||
      (VALUE_WORDS.has(last) && SECRET_WORD.test(parts.slice(0, -1).join(""))));
  return {
    secret,
    authWords: last === "auth" || last === "authorization",
    paths: PATH_OR_SECRET.test(joined),
    datadogKey: ["key", "keys", "api", "app"].includes(last),
  };
}

/** Whether a value under this key (or an env entry of this name) is a secret. */
export function isSecretKey(key: string): boolean {
  return verdict(key).secret;
}

/** Whether `value`, under `key` (a map key, an env entry's name, a flag), is a secret to replace. */
function secretUnder(key: string, value: string): boolean {
  if (isKept(value)) return false;
  const v = verdict(key);
  const bare = value.trim();
  if (v.secret) {
    if (v.authWords && AUTH_WORDS.has(bare.toLowerCase())) return false;
    return !(v.paths && FILE_PATH.test(bare));
  }
  return v.datadogKey && DATADOG_KEY_VALUE.test(bare);
}

// ---------------------------------------------------------------------------------------------
// Values that only point at a secret are kept: the agent's secret backend (ENC[name]), an
// autodiscovery template variable (%%env_X%%), an environment reference ($X, ${X}, $(X)), a
// Helm template ({{ ... }}) and a placeholder as the operator's examples write it (<DATADOG_API_KEY>).
const REFERENCE_VALUE =
  /^(ENC\[[^\]]*\]|%%[A-Za-z0-9_]+%%|\$[A-Za-z_][A-Za-z0-9_]*|\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$\([A-Za-z_][A-Za-z0-9_]*\)|\{\{[^{}]*\}\}|<[A-Z][A-Z0-9_]*>)$/;

// "]" may be cut off by a parser, punctuation after it is the text's ("[redacted]:", "[redacted],").
const ALREADY_REDACTED = /^((Bearer|Basic|Token|Digest)\s+)?\[redacted\]?[^A-Za-z0-9]*$/i;
/** Not a secret to replace: empty, already redacted, or a reference. */
const isKept = (value: string) =>
  value === "" || ALREADY_REDACTED.test(value) || REFERENCE_VALUE.test(value.trim());

// ---------------------------------------------------------------------------------------------
// Secrets inside strings. Every pattern starts only where its run of characters starts
// (lookbehind), so the work is linear in the text: values of anyone's Helm release must not be
// able to stall the controller.

/** Private keys in PEM (also a block whose end was cut off). Certificates and public keys are public. */
const PEM_PRIVATE_KEY = /-----BEGIN ([A-Z0-9 ]*PRIVATE KEY[A-Z0-9 ]*)-----[\s\S]*?(-----END \1-----|$)/g;
const JWT = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const BEARER = /\b(Bearer)[ \t]+(?!\[redacted\])([A-Za-z0-9._~+/=-]{6,})/gi;
/** scheme://user:password@ and scheme://token@ */
const URL_USERINFO = /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]{0,31}:\/\/)([^\s/?#@"'<>]+)@/gi;
/** A user name alone before "@" (ssh://git@github.com, postgres://app@db): not a credential. */
const PLAIN_USER = /^[A-Za-z][A-Za-z_.-]{0,15}\d{0,4}$/;
/** jdbc:oracle:thin:user/password@host (bounded: without an "@" a start must not read to the end) */
const ORACLE_JDBC = /(?<![A-Za-z0-9])(jdbc:oracle:[a-z0-9]+:)([^\s/@:"']{1,128})\/([^\s@"']{1,256})@/gi;
/** host:port:database:user:password, a line of .pgpass (port a number or *). */
const PGPASS_LINE = /^((?:[^\s:#\\]|\\.)+:(?:\d+|\*):(?:[^\s:\\]|\\.)+:(?:[^\s:\\]|\\.)+:)(.+)$/gm;
/** .netrc: "machine host login user password secret" (on one line or several). */
const NETRC = /(?:^|\s)(?:machine[ \t]+\S|default\s+(?:login|password)\s)/;
const NETRC_PASSWORD = /(?<!\S)(password|passwd)([ \t]+)(?!\[redacted\])(\S+)/g;
/** <password>…</password>, <entry key="password">…</entry> */
const XML_ELEMENT = /<([A-Za-z_][\w.:-]*)((?:\s[^<>]*)?)>([^<]*)<\/\1\s*>/g;
const XML_NAME_ATTRIBUTE = /(?:^|\s)(?:key|name)\s*=\s*(["'])([^"'<>]*)\1/;
/** <add key="DbPassword" value="…"/>, <property name="password" value="…"/> */
const XML_KEY_VALUE = /(?<![\w:-])((?:key|name)\s*=\s*(["'])([^"'<>]*)\2\s+value\s*=\s*)(["'])([^"'<>]*)\4/g;
/** name=, name:, "name": (in free text, command lines, query strings, DSNs), then the value. */
const ASSIGNMENT_NAME = /(?<![A-Za-z0-9_.-])(["']?)(-*[A-Za-z_][A-Za-z0-9_.-]*)\1[ \t]*[:=][ \t]*(?!\/\/)/g;
/** A value: quoted, {braced} as ODBC writes it, or a run; never the start of a map or list ("key": {…}). */
const ASSIGNMENT_VALUE =
  /"(?:[^"\\\n]|\\.)*"|'[^'\n]*'|\{[^{}\s"':]*\}|(?:(?:Bearer|Basic|Token|Digest)[ \t]+)?(?:\[redacted\]|[^\s,;&"'{}[\]\\):=][^\s,;&"'}\]\\)]*)/y;
/** A Datadog key's form as an unquoted value, up to where a value ends. */
const DATADOG_KEY_AT = /(?:[0-9a-f]{40}|[0-9a-f]{32})(?![^\s,;&"'}\]\\)])/iy;
/** --password value */
const FLAG_VALUE = /(?<!\S)(--?[A-Za-z][A-Za-z0-9_-]*)[ \t]+(?!-)("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^\s"']+)/g;

const unquote = (value: string) =>
  /^(["']).*\1$/s.test(value) && value.length >= 2 ? value.slice(1, -1) : value;
const requote = (value: string) => (/^["']/.test(value) ? `${value[0]}${REDACTED}${value[0]}` : REDACTED);
const isLiteral = (value: string) => !/^(true|false|null|~|\||>|[|>][-+]?)$/i.test(value);

/** The text rules, in order; each notes what it found in `found`. A rule runs only if its marker is there. */
function redactTextRules(text: string, found: string[], depth: number): string {
  let out = text;
  const note = (what: string) => {
    found.push(what);
    return REDACTED;
  };
  if (out.includes("-----BEGIN ")) out = out.replace(PEM_PRIVATE_KEY, () => note("a private key"));
  if (out.includes("LS0tLS1CRUdJTi")) {
    out = out.replace(BASE64_PEM, (match) =>
      isBase64PrivateKey(match) ? note("a base64 private key") : match,
    );
  }
  if (out.includes("eyJ")) out = out.replace(JWT, () => note("a JWT"));
  if (TOKEN_MARKER.test(out)) {
    for (const { what, pattern, accept } of TOKEN_FORMATS) {
      out = out.replace(pattern, (match) => (accept && !accept(match) ? match : note(what)));
    }
  }
  if (/bearer/i.test(out)) {
    out = out.replace(BEARER, (match, scheme: string, token: string) => {
      // "Bearer tokens", "Bearer authentication": words, not tokens.
      if (token.length < 20 && /^[a-z]+$/.test(token)) return match;
      return `${scheme} ${note("a bearer token")}`;
    });
  }
  if (/basic/i.test(out)) {
    out = out.replace(BASIC_CREDENTIAL, (match, scheme: string, value: string) =>
      isBasicCredential(value) ? `${scheme} ${note("a Basic credential")}` : match,
    );
  }
  if (out.includes("://")) {
    out = out.replace(URL_WITH_PATH, (match, scheme: string, authority: string, path: string) => {
      const redacted = redactWebhookPath(authority, path, REDACTED);
      if (redacted === undefined) return match;
      found.push("a webhook URL");
      return `${scheme}${authority}${redacted}`;
    });
    if (out.includes("@")) out = redactUrlCredentials(out, found);
  }
  if (/jdbc:oracle/i.test(out)) {
    out = out.replace(ORACLE_JDBC, (match, prefix: string, user: string, password: string) =>
      isKept(password) ? match : `${prefix}${user}/${note("a JDBC password")}@`,
    );
  }
  if (/:(\d+|\*):/.test(out)) {
    out = out.replace(PGPASS_LINE, (match, fields: string, password: string) =>
      isKept(password.trim()) ? match : `${fields}${note("a .pgpass password")}`,
    );
  }
  if (NETRC.test(out)) {
    out = out.replace(NETRC_PASSWORD, (match, word: string, space: string, password: string) =>
      isKept(password) ? match : `${word}${space}${note("a .netrc password")}`,
    );
  }
  if (out.includes("</"))
    out = out.replace(XML_ELEMENT, (match, ...groups) => redactXmlElement(match, groups, found));
  if (/value\s*=/.test(out)) {
    out = out.replace(
      XML_KEY_VALUE,
      (match, head: string, _q: string, name: string, quote: string, value: string) => {
        if (!secretUnder(name, value)) return match;
        found.push(`${name} value=…`);
        return `${head}${quote}${REDACTED}${quote}`;
      },
    );
  }
  if (out.includes("=") || out.includes(":")) out = redactAssignments(out, found, depth);
  if (out.includes("-")) {
    out = out.replace(FLAG_VALUE, (match, flag: string, value: string) => {
      if (!secretUnder(flag, unquote(value))) return match;
      found.push(`${flag} …`);
      return `${flag} ${requote(value)}`;
    });
  }
  if (PROGRAMS.test(out)) out = redactCommandLine(out, found);
  return out;
}

/** <password>x</password> or <entry key="password">x</entry>: the content, when a secret. */
function redactXmlElement(match: string, groups: unknown[], found: string[]): string {
  const [tag, attributes, content] = groups as [string, string, string];
  const local = tag.slice(tag.lastIndexOf(":") + 1);
  const named = XML_NAME_ATTRIBUTE.exec(attributes)?.[2];
  const name = isSecretKey(local) ? local : named !== undefined && isSecretKey(named) ? named : undefined;
  if (name === undefined || !secretUnder(name, content.trim())) return match;
  found.push(`<${local}>…`);
  return `<${tag}${attributes}>${REDACTED}</${tag}>`;
}

function redactUrlCredentials(text: string, found: string[]): string {
  return text.replace(URL_USERINFO, (match, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(":");
    if (colon === -1) {
      if (isKept(userinfo) || PLAIN_USER.test(userinfo)) return match;
      found.push("a URL credential");
      return `${scheme}${REDACTED}@`;
    }
    if (isKept(userinfo.slice(colon + 1))) return match;
    found.push("a URL password");
    return `${scheme}${userinfo.slice(0, colon)}:${REDACTED}@`;
  });
}

// ---------------------------------------------------------------------------------------------
// Command lines, as one string or as a list of arguments: the value after a secret flag
// (["--db-password", "x"]), and where the program makes a short flag clear: sshpass -p x,
// redis-cli -a x, curl -u user:x, mysql -px.

const PROGRAMS = /sshpass|redis-cli|curl|mysql|mariadb/;
const PROGRAM_FLAGS = new Map<string, Map<string, "value" | "after-colon">>([
  ["sshpass", new Map([["-p", "value"]])],
  [
    "redis-cli",
    new Map([
      ["-a", "value"],
      ["--pass", "value"],
    ]),
  ],
  [
    "curl",
    new Map([
      ["-u", "after-colon"],
      ["--user", "after-colon"],
      ["-U", "after-colon"],
      ["--proxy-user", "after-colon"],
    ]),
  ],
]);
/** Programs whose password is attached to -p: mysql -psecret. */
const ATTACHED_PASSWORD = new Set(["mysql", "mysqldump", "mysqladmin", "mariadb", "mariadb-dump"]);
const FLAG = /^--?[A-Za-z][\w.-]*$/;

interface ArgumentSecret {
  index: number;
  replacement: string;
  what: string;
}

/** The arguments (undefined: not a string) that are secrets, and what replaces each. */
function argumentSecrets(args: readonly (string | undefined)[]): ArgumentSecret[] {
  const secrets: ArgumentSecret[] = [];
  let program: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === undefined) {
      program = undefined; // a new line, or an item that is not a string: another command
      continue;
    }
    const base = arg.slice(arg.lastIndexOf("/") + 1);
    if (PROGRAM_FLAGS.has(base) || ATTACHED_PASSWORD.has(base)) {
      program = base;
      continue;
    }
    const flag = args[i - 1];
    const bare = unquote(arg);
    if (flag !== undefined && !arg.startsWith("-") && !isKept(bare)) {
      const how = program === undefined ? undefined : PROGRAM_FLAGS.get(program)?.get(flag);
      const colon = bare.indexOf(":");
      if (how === "value") {
        secrets.push({ index: i, replacement: requote(arg), what: `${program} ${flag} …` });
      } else if (how === "after-colon" && colon !== -1 && !isKept(bare.slice(colon + 1))) {
        const quote = arg === bare ? "" : arg[0]!;
        const replacement = `${quote}${bare.slice(0, colon + 1)}${REDACTED}${quote}`;
        secrets.push({ index: i, replacement, what: `${program} ${flag} user:…` });
      } else if (how === undefined && FLAG.test(flag) && secretUnder(flag, bare) && isLiteral(bare)) {
        secrets.push({ index: i, replacement: requote(arg), what: `${flag} …` });
      }
    }
    if (
      program !== undefined &&
      ATTACHED_PASSWORD.has(program) &&
      /^-p\S/.test(arg) &&
      !isKept(arg.slice(2))
    ) {
      secrets.push({ index: i, replacement: `-p${REDACTED}`, what: `${program} -p…` });
    }
  }
  return secrets;
}

/** Command lines in a string: the words of each line read as arguments. */
function redactCommandLine(text: string, found: string[]): string {
  const words: (RegExpExecArray | undefined)[] = [];
  let end = 0;
  for (const word of text.matchAll(/\S+/g)) {
    if (text.slice(end, word.index).includes("\n")) words.push(undefined);
    words.push(word);
    end = word.index + word[0].length;
  }
  const secrets = argumentSecrets(words.map((word) => word?.[0]));
  if (secrets.length === 0) return text;
  let out = "";
  let copied = 0;
  for (const { index, replacement, what } of secrets) {
    const word = words[index]!;
    out += text.slice(copied, word.index) + replacement;
    copied = word.index + word[0].length;
    found.push(what);
  }
  return out + text.slice(copied);
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

/** The private members of a JSON Web Key ({"kty": "RSA", "d": …}); "k" is a symmetric key. */
const JWK_PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "k"];

/**
 * Members that are secrets because of their siblings: the `value` of an entry whose `name` (or
 * `key`) is a secret name ({name: DB_PASSWORD, value: …}), and a JSON Web Key's private members.
 * Each with what to call it and the name its value is judged under.
 */
function secretMembers(obj: Record<string, unknown>): Map<string, { label: string; name?: string }> {
  const members = new Map<string, { label: string; name?: string }>();
  if ("value" in obj) {
    for (const field of ["name", "key"]) {
      const name = obj[field];
      if (typeof name !== "string") continue;
      const value = obj.value;
      if (isSecretKey(name) || (typeof value === "string" && secretUnder(name, value))) {
        members.set("value", { label: name, name });
        break;
      }
    }
  }
  if (typeof obj.kty === "string") {
    for (const member of JWK_PRIVATE_MEMBERS)
      if (member in obj) members.set(member, { label: "a JSON Web Key's private part" });
  }
  return members;
}

/** Datadog's additional endpoints: {"https://app.datadoghq.eu": ["<api key>", …]}. */
const URL_KEY = /^https?:\/\//i;

function walk(value: unknown, path: string, w: Walk, depth: number): unknown {
  if (typeof value === "string") return redactStringAt(value, path, w, depth);
  if (depth > MAX_DEPTH && (Array.isArray(value) || isPlainObject(value))) {
    w.paths.push(`${path || "value"} (nested too deep to inspect)`);
    return REDACTED;
  }
  if (Array.isArray(value)) {
    const items = value.map((item, i) => walk(item, `${path}[${i}]`, w, depth + 1));
    return redactArgumentList(items, path, w);
  }
  if (!isPlainObject(value)) return value;
  const members = secretMembers(value);
  return Object.fromEntries(
    Object.entries(value).map(([original, item]) => {
      const key = redactKey(original, path, w, depth);
      const at = child(path, key);
      const member = members.get(key);
      if (member !== undefined)
        return [key, underSecretKey(item, `${at} (${member.label})`, w, depth + 1, member.name)];
      if (isSecretKey(key)) return [key, underSecretKey(item, at, w, depth + 1, key)];
      if (typeof item === "string" && secretUnder(key, item)) {
        w.paths.push(`${at} (a Datadog key)`);
        return [key, REDACTED];
      }
      if (URL_KEY.test(key) && Array.isArray(item))
        return [key, underSecretKey(item, `${at} (API keys of an additional endpoint)`, w, depth + 1)];
      return [key, walk(item, at, w, depth + 1)];
    }),
  );
}

const plainKeys = new Set<string>();

/**
 * A map key holding a secret itself: a URL with credentials ({"https://u:p@host": [...]}), or
 * text that YAML read as a key (an unindented base64 block). Short keys are names: skipped.
 */
function redactKey(key: string, path: string, w: Walk, depth: number): string {
  if (key.length < 12 || plainKeys.has(key)) return key;
  const found: string[] = [];
  const redacted = redactString(key, found, depth);
  if (found.length === 0) {
    // Keys repeat (every values file has the same ones): remember a bounded number of plain ones.
    if (plainKeys.size >= 10_000) plainKeys.clear();
    plainKeys.add(key);
    return key;
  }
  w.paths.push(`${path || "value"} (a key: ${[...new Set(found)].join(", ")})`);
  return redacted;
}

/** A list read as command-line arguments: ["--db-password", "x"], ["sshpass", "-p", "x"]. */
function redactArgumentList(items: unknown[], path: string, w: Walk): unknown[] {
  if (items.length < 2) return items;
  const secrets = argumentSecrets(items.map((item) => (typeof item === "string" ? item : undefined)));
  for (const { index, replacement, what } of secrets) {
    items[index] = replacement;
    w.paths.push(`${path}[${index}] (${what})`);
  }
  return items;
}

/**
 * A value under a secret key (named `name`): scalars replaced, list items too; maps are walked
 * (they hold references). What is kept under that name (a reference, "auth": "local") is read
 * as any other string.
 */
function underSecretKey(value: unknown, path: string, w: Walk, depth: number, name?: string): unknown {
  if (
    typeof value === "number" ||
    (typeof value === "string" && (name === undefined ? !isKept(value) : secretUnder(name, value)))
  ) {
    w.paths.push(path);
    return REDACTED;
  }
  // "password: [redacted]" in YAML text reads back as a list holding "redacted": already done.
  if (Array.isArray(value) && value.length === 1 && value[0] === "redacted") return value;
  if (Array.isArray(value) && depth <= MAX_DEPTH)
    return value.map((item, i) => underSecretKey(item, `${path}[${i}]`, w, depth + 1, name));
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
 * JWT, a token format's prefix, a .pgpass line's port. A string without any is left alone
 * without parsing it.
 */
const MIGHT_HOLD_A_SECRET =
  /pass|pwd|secret|token|key|credential|auth|dsn|conn|cookie|community|ur[il]|sig=|:\/\/|-----BEGIN|LS0tLS1CRUdJTi|eyJ|bearer|basic|jdbc|kty|curl|redis-cli|mysql|mariadb|:(\d+|\*):|[0-9a-f]{32}/i;

function redactString(text: string, found: string[], depth: number): string {
  if (!MIGHT_HOLD_A_SECRET.test(text) && !TOKEN_MARKER.test(text)) return text;
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
  const datadogKeys = new RegExp(DATADOG_KEY_AT.source, "y");
  let out = "";
  let copied = 0;
  for (let m = names.exec(text); m; m = names.exec(text)) {
    const name = m[2]!;
    const at = m.index + m[0].length;
    if (!isSecretKey(name) && text[at] !== '"' && text[at] !== "'") {
      // An unquoted value under another name is not read (reading each to its end would make
      // "a:b:c:…" quadratic): only a Datadog key's form under a key-like name is looked for.
      if (!verdict(name).datadogKey) continue;
      datadogKeys.lastIndex = at;
      const key = datadogKeys.exec(text)?.[0];
      if (key === undefined) continue;
      found.push(`${name}=…`);
      out += text.slice(copied, at) + REDACTED;
      copied = at + key.length;
      names.lastIndex = copied;
      continue;
    }
    values.lastIndex = at;
    const value = values.exec(text)?.[0];
    if (value === undefined) continue;
    const bare = unquote(value);
    const quoted = bare !== value;
    let replacement: string | undefined;
    if (secretUnder(name, bare) && isLiteral(bare)) {
      found.push(`${name}=…`);
      replacement = requote(value);
    } else if (quoted && !isSecretKey(name)) {
      const inner = redactQuoted(value, found, depth);
      if (inner !== value) replacement = inner;
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
