// The secrets corpus: every shape of secret the one redactor (lib/redact.ts) must catch, each a
// fragment of Helm values or of a DatadogAgent spec holding a planted placeholder. The unit and
// property tests (lib/redact.test.ts, lib/redact.property.test.ts) redact each fragment; the
// browser run plants all of them through a real Helm release, a DatadogAgent spec, an experiment
// config and a signal, then scans everything fleetdeck wrote for them (e2e/secrets-scan.spec.ts).

export interface SecretShape {
  /** What the shape is. */
  name: string;
  /** The planted secret: after redaction it must appear nowhere. */
  secret: string;
  /** The fragment holding `secret` (another secret of the same form for the property tests). */
  plant(secret: string): Record<string, unknown>;
}

/** A secret of the usual form for shape `n`: unique, and found by the scan. */
const placeholder = (n: number) => `crps${String(n).padStart(2, "0")}Xq7Lm2Vz9Tk4`;

const shapes: Omit<SecretShape, "secret">[] = [
  { name: "password key", plant: (s) => ({ password: s }) },
  { name: "snake_case db_password", plant: (s) => ({ db_password: s }) },
  { name: "upper kebab DB-PASSWORD", plant: (s) => ({ "DB-PASSWORD": s }) },
  { name: "camelCase dbPasswd", plant: (s) => ({ dbPasswd: s }) },
  { name: "pwd", plant: (s) => ({ mysql: { pwd: s } }) },
  { name: "last word pass", plant: (s) => ({ mysql_pass: s }) },
  { name: "passphrase", plant: (s) => ({ sshPassphrase: s }) },
  { name: "secret", plant: (s) => ({ webhook: { secret: s } }) },
  { name: "clientSecret", plant: (s) => ({ oidc: { clientSecret: s } }) },
  { name: "token", plant: (s) => ({ token: s }) },
  { name: "clusterAgent.token", plant: (s) => ({ clusterAgent: { token: s } }) },
  { name: "apiKey", plant: (s) => ({ datadog: { apiKey: s } }) },
  { name: "app_key", plant: (s) => ({ app_key: s }) },
  { name: "DD_API_KEY as a map key", plant: (s) => ({ env: { DD_API_KEY: s } }) },
  { name: "aws_secret_access_key", plant: (s) => ({ aws_secret_access_key: s }) },
  { name: "privateKey (not PEM)", plant: (s) => ({ signing: { privateKey: s } }) },
  { name: "credentials as a string", plant: (s) => ({ credentials: s }) },
  { name: "sentry dsn", plant: (s) => ({ sentry: { dsn: s } }) },
  { name: "connectionString", plant: (s) => ({ connectionString: `Server=db;User Id=app;Password=${s};` }) },
  { name: "passwordValue (value word after a secret word)", plant: (s) => ({ passwordValue: s }) },
  { name: "numeric password", plant: (s) => ({ pin: { password: Number(s.replace(/\D/g, "") || "0") } }) },
  { name: "list items under a secret key", plant: (s) => ({ apiKeys: ["first-key-x", s] }) },
  { name: "env entry *_PASSWORD", plant: (s) => ({ env: [{ name: "DB_PASSWORD", value: s }] }) },
  {
    name: "env entry DATABASE_URL",
    plant: (s) => ({ extraEnv: [{ name: "DATABASE_URL", value: `postgres://app:${s}@db/x` }] }),
  },
  { name: "env entry *_TOKEN", plant: (s) => ({ env: [{ name: "GITHUB_TOKEN", value: s }] }) },
  { name: "key/value pair", plant: (s) => ({ headers: [{ key: "X-Api-Key", value: s }] }) },
  { name: "NAME=value env string", plant: (s) => ({ envList: [`REDIS_PASSWORD=${s}`] }) },
  { name: "URL user:password@", plant: (s) => ({ proxy: { https: `http://user:${s}@proxy:3128` } }) },
  { name: "URL :password@ (no user)", plant: (s) => ({ cache: { url: `redis://:${s}@cache:6379/0` } }) },
  {
    name: "URL query token",
    plant: (s) => ({ hook: { endpoint: `https://hooks.example.com/x?token=${s}&a=1` } }),
  },
  {
    name: "PEM private key",
    plant: (s) => ({
      tls: { material: `-----BEGIN PRIVATE KEY-----\nMIIE${s}AB\n-----END PRIVATE KEY-----\n` },
    }),
  },
  {
    name: "PEM RSA private key, end cut off",
    plant: (s) => ({ bundle: `-----BEGIN RSA PRIVATE KEY-----\nMIIC${s}\n` }),
  },
  {
    name: "Postgres check config (YAML string) with password",
    plant: (s) => ({
      datadog: {
        confd: {
          "postgres.yaml": `init_config:\ninstances:\n  - host: db\n    port: 5432\n    username: datadog\n    password: ${s}\n`,
        },
      },
    }),
  },
  {
    name: "check config (JSON string) with token",
    plant: (s) => ({ checks: JSON.stringify({ instances: [{ url: "http://svc", token: s }] }) }),
  },
  {
    name: "check config (YAML string) with a URL password",
    plant: (s) => ({ confd: { "redis.yaml": `instances:\n  - url: redis://default:${s}@cache:6379\n` } }),
  },
  {
    name: "env list inside a YAML string",
    plant: (s) => ({ sidecar: `env:\n- name: API_TOKEN\n  value: ${s}\n` }),
  },
  { name: "command-line --password=value", plant: (s) => ({ args: ["--host=db", `--password=${s}`] }) },
  { name: "command-line --token value", plant: (s) => ({ command: `agent run --token ${s} --verbose` }) },
  { name: "Authorization header", plant: (s) => ({ headers: { Authorization: `Bearer ${s}` } }) },
  { name: "bearer token in free text", plant: (s) => ({ note: `curl -H "X: Bearer ${s}" https://x` }) },
  { name: "libpq DSN in free text", plant: (s) => ({ conn: `host=db user=app password=${s} dbname=x` }) },
  { name: "basic_auth", plant: (s) => ({ basic_auth: `admin:${s}` }) },
  {
    name: "MONGODB_URI as a key",
    plant: (s) => ({ MONGODB_URI: `mongodb+srv://cluster0/x?authSource=${s}` }),
  },
  {
    name: "secret commented out in a YAML string",
    plant: (s) => ({ confd: { "mysql.yaml": `instances:\n  - host: db\n    # password: ${s}\n` } }),
  },
  {
    name: "JWT in free text",
    plant: (s) => ({
      comment: `kube token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ${s}In0.c2lnbmF0dXJl`,
    }),
  },
];

/** Every shape with its planted secret (the numeric one a number, the JWT's its middle part). */
export const SECRET_CORPUS: SecretShape[] = shapes.map((shape, i) => ({
  ...shape,
  secret: shape.name === "numeric password" ? `7391046283${String(i).padStart(2, "0")}` : placeholder(i),
}));

/** Every shape planted at once, each under its own key: Helm values, or a DatadogAgent spec's `features`. */
export function corpusFragment(shapesToPlant: SecretShape[] = SECRET_CORPUS): Record<string, unknown> {
  return Object.fromEntries(shapesToPlant.map((shape, i) => [`shape${i}`, shape.plant(shape.secret)]));
}

/** Values next to secrets that must survive redaction (references, settings, names of Secrets). */
export const NOT_SECRETS: Record<string, unknown> = {
  secretName: "datadog-secret",
  keyName: "api-key",
  apiKeyExistingSecret: "datadog-secret",
  tokenTTL: "1h",
  passwordPolicy: "strict",
  tokenFile: "/var/run/token",
  createSecret: true,
  site: "datadoghq.eu",
  env: [
    { name: "DD_SITE", value: "datadoghq.com" },
    { name: "DD_SECRET_BACKEND_COMMAND", value: "/readsecret.sh" },
    { name: "DD_API_KEY", valueFrom: { secretKeyRef: { name: "datadog-secret", key: "api-key" } } },
  ],
  credentials: { apiSecret: { secretName: "datadog-secret", keyName: "api-key" } },
  apiKey: "ENC[dd_api_key]",
  confd: { "postgres.yaml": "instances:\n  - host: db\n    password: '%%env_PG_PASSWORD%%'\n" },
  url: "https://app.datadoghq.com/api/v1/metadata",
  dbPassword: "",
  bypass: "yes",
  oauth: "enabled",
  keys: ["a", "b"],
  note: "rotate the token every week: see the runbook",
};
