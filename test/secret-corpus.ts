// The secrets corpus: every shape of secret the one redactor (lib/redact.ts) must catch, each a
// fragment of Helm values or of a DatadogAgent spec holding a planted placeholder, and the
// innocent shapes it must leave exactly as they are. The unit and property tests
// (lib/redact.test.ts, lib/redact.property.test.ts) redact each fragment; the browser run plants
// all secrets through a real Helm release, a DatadogAgent spec, an experiment config and a
// signal, then scans everything fleetdeck wrote for them (e2e/secrets-scan.spec.ts).

export type ShapeCategory =
  | "key name"
  | "env entry"
  | "token format"
  | "private key"
  | "URL"
  | "connection string"
  | "file format"
  | "command line"
  | "check config";

export interface SecretShape {
  /** What the shape is. */
  name: string;
  category: ShapeCategory;
  /** The planted secret: after redaction it must appear nowhere. */
  secret: string;
  /** The fragment holding `secret` (another secret of the same form for the property tests). */
  plant(secret: string): Record<string, unknown>;
  /**
   * A secret of the shape's form made from `seed` (14 or more letters and digits, unique), for
   * shapes whose secret has a prefix, an alphabet or a length: a token format, a hex key.
   */
  form?: (seed: string) => string;
}

/** A secret of the usual form for shape `n`: unique, and found by the scan. */
const placeholder = (n: number) => `crps${String(n).padStart(2, "0")}Xq7Lm2Vz9Tk4`;

/** `seed` repeated or cut to `length` characters (it starts with the whole seed when longer). */
const fit = (seed: string, length: number) => seed.repeat(Math.ceil(length / seed.length)).slice(0, length);
const upper = (seed: string, length: number) => fit(seed.toUpperCase().replace(/[^A-Z0-9]/g, ""), length);
const lower = (seed: string, length: number) => fit(seed.toLowerCase().replace(/[^a-z0-9]/g, ""), length);
const hex = (seed: string, length: number) =>
  fit([...seed].map((c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join(""), length);
const pem = (type: string, seed: string) => `-----BEGIN ${type}-----\nMIIE${seed}AB\n-----END ${type}-----\n`;
/** base64 wrapped at 64 columns, as `base64` and PEM bodies write it. */
const wrapped = (text: string) => btoa(text).replace(/(.{64})/g, "$1\n");

type Shape = Omit<SecretShape, "secret">;

const inCategory = (category: ShapeCategory, shapes: Omit<Shape, "category">[]): Shape[] =>
  shapes.map((shape) => ({ ...shape, category }));

const keyNames = inCategory("key name", [
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
  { name: "passwordValue (value word after a secret word)", plant: (s) => ({ passwordValue: s }) },
  { name: "numeric password", plant: (s) => ({ pin: { password: Number(s.replace(/\D/g, "") || "0") } }) },
  { name: "list items under a secret key", plant: (s) => ({ apiKeys: ["first-key-x", s] }) },
  { name: "basic_auth", plant: (s) => ({ basic_auth: `admin:${s}` }) },
  { name: "tls.key (a Secret's data key)", plant: (s) => ({ data: { "tls.key": s } }) },
  { name: "clientKey", plant: (s) => ({ mtls: { clientKey: s } }) },
  { name: "privateKeyPem", plant: (s) => ({ signer: { privateKeyPem: s } }) },
  { name: "AccountKey as a map key (Azure)", plant: (s) => ({ azure: { AccountKey: s } }) },
  { name: "sharedKey (Azure Log Analytics)", plant: (s) => ({ logAnalytics: { sharedKey: s } }) },
  { name: "hmacKey", plant: (s) => ({ signing: { hmacKey: s } }) },
  { name: "ssl_key holding the key itself", plant: (s) => ({ postgres: { ssl_key: s } }) },
  {
    name: "auth holding a credential (docker config.json)",
    plant: (s) => ({ auths: { "registry.example.com": { auth: s } } }),
  },
  {
    name: "Datadog API key form under key",
    plant: (s) => ({ datadog: { key: s } }),
    form: (seed) => hex(seed, 32),
  },
  {
    name: "Datadog application key form under app",
    plant: (s) => ({ dd: { app: s } }),
    form: (seed) => hex(seed, 40),
  },
  {
    name: "JSON Web Key private member d",
    plant: (s) => ({ jwks: { keys: [{ kty: "RSA", kid: "k1", e: "AQAB", n: "sXch", d: s }] } }),
  },
]);

const envEntries = inCategory("env entry", [
  { name: "env entry *_PASSWORD", plant: (s) => ({ env: [{ name: "DB_PASSWORD", value: s }] }) },
  {
    name: "env entry DATABASE_URL",
    plant: (s) => ({ extraEnv: [{ name: "DATABASE_URL", value: `postgres://app:${s}@db/x` }] }),
  },
  { name: "env entry *_TOKEN", plant: (s) => ({ env: [{ name: "GITHUB_TOKEN", value: s }] }) },
  { name: "key/value pair", plant: (s) => ({ headers: [{ key: "X-Api-Key", value: s }] }) },
  { name: "NAME=value env string", plant: (s) => ({ envList: [`REDIS_PASSWORD=${s}`] }) },
  {
    name: "env entry DATADOG_KEY with a Datadog key's form",
    plant: (s) => ({ env: [{ name: "DATADOG_KEY", value: s }] }),
    form: (seed) => hex(seed, 32),
  },
  {
    name: "DD_ADDITIONAL_ENDPOINTS (dual shipping: URL → API keys)",
    plant: (s) => ({
      env: [{ name: "DD_ADDITIONAL_ENDPOINTS", value: JSON.stringify({ "https://app.datadoghq.eu": [s] }) }],
    }),
  },
  {
    name: "DD_LOGS_CONFIG_ADDITIONAL_ENDPOINTS (api_key inside a JSON value)",
    plant: (s) => ({
      env: [
        {
          name: "DD_LOGS_CONFIG_ADDITIONAL_ENDPOINTS",
          value: JSON.stringify([{ api_key: s, Host: "agent-http-intake.logs.datadoghq.eu", Port: 443 }]),
        },
      ],
    }),
  },
  {
    name: 'export NAME="value" (an env file)',
    plant: (s) => ({ script: `export DB_PASSWORD="${s}"\nexec app` }),
  },
]);

const tokenFormats = inCategory("token format", [
  {
    name: "AWS access key id AKIA…",
    plant: (s) => ({ note: `id ${s}` }),
    form: (seed) => `AKIA${upper(seed, 16)}`,
  },
  {
    name: "AWS temporary key id ASIA…",
    plant: (s) => ({ msg: s }),
    form: (seed) => `ASIA${upper(seed, 16)}`,
  },
  { name: "GitHub ghp_ token", plant: (s) => ({ note: s }), form: (seed) => `ghp_${fit(seed, 36)}` },
  {
    name: "GitHub gho_ token",
    plant: (s) => ({ note: `oauth ${s}` }),
    form: (seed) => `gho_${fit(seed, 36)}`,
  },
  { name: "GitHub ghu_ token", plant: (s) => ({ note: s }), form: (seed) => `ghu_${fit(seed, 36)}` },
  { name: "GitHub ghs_ token", plant: (s) => ({ note: s }), form: (seed) => `ghs_${fit(seed, 36)}` },
  { name: "GitHub ghr_ token", plant: (s) => ({ note: s }), form: (seed) => `ghr_${fit(seed, 36)}` },
  {
    name: "GitHub fine-grained github_pat_",
    plant: (s) => ({ gitConfig: `[credential]\n  helper = store ${s}` }),
    form: (seed) => `github_pat_${fit(seed, 22)}_${fit(seed, 59)}`,
  },
  {
    name: "Authorization: token ghp_… in a header list",
    plant: (s) => ({ headers: [`Authorization: token ${s}`] }),
    form: (seed) => `ghp_${fit(seed, 36)}`,
  },
  {
    name: "Slack xoxb- bot token",
    plant: (s) => ({ slack: { bot: s } }),
    form: (seed) => `xoxb-1234-${fit(seed, 24)}`,
  },
  {
    name: "Slack xoxp- user token",
    plant: (s) => ({ note: s }),
    form: (seed) => `xoxp-1234-${fit(seed, 24)}`,
  },
  { name: "Slack xoxa- token", plant: (s) => ({ note: s }), form: (seed) => `xoxa-2-${fit(seed, 24)}` },
  { name: "Slack xapp- app token", plant: (s) => ({ note: s }), form: (seed) => `xapp-1-${fit(seed, 24)}` },
  {
    name: "Stripe sk_live_",
    plant: (s) => ({ billing: { stripe: s } }),
    form: (seed) => `sk_live_${fit(seed, 24)}`,
  },
  { name: "Stripe rk_live_", plant: (s) => ({ note: s }), form: (seed) => `rk_live_${fit(seed, 24)}` },
  { name: "Stripe sk_test_", plant: (s) => ({ note: s }), form: (seed) => `sk_test_${fit(seed, 24)}` },
  {
    name: "Stripe whsec_ webhook secret",
    plant: (s) => ({ note: s }),
    form: (seed) => `whsec_${fit(seed, 32)}`,
  },
  {
    name: "Google AIza… API key",
    plant: (s) => ({ maps: { browser: s } }),
    form: (seed) => `AIza${fit(seed, 35)}`,
  },
  {
    name: "GitLab glpat- token",
    plant: (s) => ({ ci: { gitlab: s } }),
    form: (seed) => `glpat-${fit(seed, 20)}`,
  },
  { name: "npm npm_ token", plant: (s) => ({ publish: s }), form: (seed) => `npm_${fit(seed, 36)}` },
  { name: "PyPI token", plant: (s) => ({ note: s }), form: (seed) => `pypi-AgEIcHlwaS5vcmc${fit(seed, 60)}` },
  { name: "Docker Hub dckr_pat_", plant: (s) => ({ note: s }), form: (seed) => `dckr_pat_${fit(seed, 27)}` },
  { name: "Hugging Face hf_", plant: (s) => ({ note: s }), form: (seed) => `hf_${fit(seed, 34)}` },
  {
    name: "OpenAI sk-proj- key",
    plant: (s) => ({ llm: { openai: s } }),
    form: (seed) => `sk-proj-${fit(`${seed}A1b`, 48)}`,
  },
  {
    name: "SendGrid SG. key",
    plant: (s) => ({ note: s }),
    form: (seed) => `SG.${fit(seed, 22)}.${fit(seed, 43)}`,
  },
  {
    name: "Vault hvs. token",
    plant: (s) => ({ vault: { login: s } }),
    form: (seed) => `hvs.${fit(seed, 24)}`,
  },
  { name: "DigitalOcean dop_v1_", plant: (s) => ({ note: s }), form: (seed) => `dop_v1_${hex(seed, 64)}` },
  { name: "Shopify shpat_", plant: (s) => ({ note: s }), form: (seed) => `shpat_${hex(seed, 32)}` },
  { name: "Atlassian ATATT3", plant: (s) => ({ note: s }), form: (seed) => `ATATT3${fit(seed, 60)}` },
  { name: "New Relic NRAK-", plant: (s) => ({ note: s }), form: (seed) => `NRAK-${upper(seed, 27)}` },
  { name: "Mailgun key-", plant: (s) => ({ note: s }), form: (seed) => `key-${lower(`${seed}7`, 32)}` },
  {
    name: "age secret key",
    plant: (s) => ({ sops: { age: s } }),
    form: (seed) => `AGE-SECRET-KEY-1${upper(seed, 58)}`,
  },
  { name: "Telegram bot token", plant: (s) => ({ note: s }), form: (seed) => `123456789:AA${fit(seed, 33)}` },
  {
    name: "JWT in free text",
    plant: (s) => ({ comment: `kube token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ${s}In0.c2lnbmF0dXJl` }),
  },
  { name: "Authorization: Bearer header", plant: (s) => ({ headers: { Authorization: `Bearer ${s}` } }) },
  { name: "bearer token in free text", plant: (s) => ({ note: `curl -H "X: Bearer ${s}" https://x` }) },
  {
    name: "Basic credential in free text",
    plant: (s) => ({ probe: `curl -H 'Authorization: Basic ${s}' https://svc/healthz` }),
    form: (seed) => btoa(`admin:${seed}`),
  },
]);

const privateKeys = inCategory("private key", [
  { name: "PEM private key", plant: (s) => ({ tls: { material: pem("PRIVATE KEY", s) } }) },
  {
    name: "PEM RSA private key, end cut off",
    plant: (s) => ({ bundle: `-----BEGIN RSA PRIVATE KEY-----\nMIIC${s}\n` }),
  },
  { name: "PEM OpenSSH private key", plant: (s) => ({ deploy: { sshKey: pem("OPENSSH PRIVATE KEY", s) } }) },
  {
    name: "PEM encrypted private key",
    plant: (s) => ({ files: { "key.pem": pem("ENCRYPTED PRIVATE KEY", s) } }),
  },
  {
    name: "base64 PEM private key (LS0tLS1CRUdJTi…)",
    plant: (s) => ({ data: { "server.pem": s } }),
    form: (seed) => btoa(pem("PRIVATE KEY", seed)),
  },
  {
    name: "base64 PEM EC private key, wrapped and folded into one line (YAML)",
    plant: (s) => ({ note: `material: ${s}` }),
    form: (seed) =>
      wrapped(pem("EC PRIVATE KEY", `${seed}${seed}${seed}`))
        .trim()
        .replace(/\n/g, " "),
  },
  {
    name: "kubeconfig client-key-data",
    plant: (s) => ({
      kubeconfig: `apiVersion: v1\nusers:\n- name: admin\n  user:\n    client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t\n    client-key-data: ${s}\n`,
    }),
  },
  {
    name: "GCP service account JSON",
    plant: (s) => ({
      "credentials.json": JSON.stringify({
        type: "service_account",
        project_id: "p",
        private_key: pem("PRIVATE KEY", s),
        client_email: "x@p.iam.gserviceaccount.com",
      }),
    }),
  },
]);

const urls = inCategory("URL", [
  { name: "URL user:password@", plant: (s) => ({ proxy: { https: `http://user:${s}@proxy:3128` } }) },
  { name: "URL :password@ (no user)", plant: (s) => ({ cache: { url: `redis://:${s}@cache:6379/0` } }) },
  {
    name: "URL token@ (no password)",
    plant: (s) => ({ repo: `https://${s}@github.com/org/app.git` }),
    form: (seed) => `${seed}7q`,
  },
  {
    name: "URL query token",
    plant: (s) => ({ hook: { endpoint: `https://hooks.example.com/x?token=${s}&a=1` } }),
  },
  {
    name: "URL query ?password=",
    plant: (s) => ({ target: `https://db.example.com/x?user=app&password=${s}` }),
  },
  {
    name: "URL query ?sig= (Azure SAS)",
    plant: (s) => ({ backup: `https://acct.blob.core.windows.net/c/b.tar?sv=2022-11-02&sp=r&sig=${s}` }),
  },
  {
    name: "URL query X-Amz-Signature (S3 presigned)",
    plant: (s) => ({ download: `https://b.s3.amazonaws.com/k?X-Amz-Expires=300&X-Amz-Signature=${s}` }),
  },
  {
    name: "URL query access_token",
    plant: (s) => ({ feed: `https://api.example.com/v1/feed?access_token=${s}` }),
  },
  {
    name: "Slack webhook URL (secret in the path)",
    plant: (s) => ({ alerts: { slack: `https://hooks.slack.com/services/T0000AAAA/B0000BBBB/${s}` } }),
  },
  {
    name: "Discord webhook URL",
    plant: (s) => ({ notify: `https://discord.com/api/webhooks/123456789012345678/${s}` }),
  },
  {
    name: "Microsoft Teams webhook URL",
    plant: (s) => ({
      notify: `https://contoso.webhook.office.com/webhookb2/${s}@tenant/IncomingWebhook/a/b`,
    }),
  },
  {
    name: "Mattermost webhook URL",
    plant: (s) => ({ notify: `https://chat.example.com/hooks/${fit(s, 26)}` }),
  },
  {
    name: "Zapier catch hook URL",
    plant: (s) => ({ notify: `https://hooks.zapier.com/hooks/catch/123456/${s}/` }),
  },
  {
    name: "PagerDuty integration URL",
    plant: (s) => ({ pager: `https://events.pagerduty.com/integration/${s}/enqueue` }),
    form: (seed) => hex(seed, 32),
  },
  {
    name: "IFTTT maker key URL",
    plant: (s) => ({ notify: `https://maker.ifttt.com/trigger/deploy/with/key/${s}` }),
  },
  {
    name: "Sentry DSN URL under another key",
    plant: (s) => ({ reporting: `https://${s}@o12345.ingest.sentry.io/67890` }),
    form: (seed) => hex(seed, 32),
  },
  {
    name: "MONGODB_URI as a key",
    plant: (s) => ({ MONGODB_URI: `mongodb+srv://cluster0/x?authSource=${s}` }),
  },
  { name: ".npmrc _authToken line", plant: (s) => ({ npmrc: `//registry.npmjs.org/:_authToken=${s}` }) },
]);

const connectionStrings = inCategory("connection string", [
  { name: "connectionString", plant: (s) => ({ connectionString: `Server=db;User Id=app;Password=${s};` }) },
  { name: "libpq DSN in free text", plant: (s) => ({ conn: `host=db user=app password=${s} dbname=x` }) },
  {
    name: "Azure storage AccountKey=",
    plant: (s) => ({
      storage: `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${s}==;EndpointSuffix=core.windows.net`,
    }),
  },
  {
    name: "Azure Service Bus SharedAccessKey=",
    plant: (s) => ({
      bus: `Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=${s}=`,
    }),
  },
  {
    name: "ADO.NET Password=",
    plant: (s) => ({ sqlserver: `Server=tcp:db,1433;Database=app;User ID=sa;Password=${s};` }),
  },
  { name: "ODBC Pwd=", plant: (s) => ({ odbc: `Driver={ODBC Driver 18};Server=db;Uid=sa;Pwd=${s};` }) },
  {
    name: "JDBC ?password=",
    plant: (s) => ({ jdbc: `jdbc:postgresql://db:5432/app?user=app&password=${s}` }),
  },
  {
    name: "JDBC ;password=",
    plant: (s) => ({ jdbc: `jdbc:sqlserver://db:1433;databaseName=app;user=sa;password=${s};` }),
  },
  {
    name: "JDBC Oracle user/password@",
    plant: (s) => ({ jdbc: `jdbc:oracle:thin:scott/${s}@//db:1521/ORCL` }),
  },
  { name: "JDBC MySQL user:password@", plant: (s) => ({ jdbc: `jdbc:mysql://app:${s}@db:3306/app` }) },
  { name: "AMQP URL", plant: (s) => ({ broker: `amqp://guest:${s}@rabbit:5672/` }) },
]);

const fileFormats = inCategory("file format", [
  {
    name: ".netrc line",
    plant: (s) => ({ files: { ".netrc": `machine api.example.com login bob password ${s}\n` } }),
  },
  {
    name: ".netrc on several lines",
    plant: (s) => ({ netrc: `machine git.example.com\n  login ci\n  password ${s}\n` }),
  },
  { name: ".pgpass line", plant: (s) => ({ files: { ".pgpass": `db.example.com:5432:app:alice:${s}\n` } }) },
  { name: ".pgpass wildcard line", plant: (s) => ({ pgpass: `*:*:*:postgres:${s}` }) },
  {
    name: "XML <password> element",
    plant: (s) => ({
      "settings.xml": `<settings><servers><server><id>r</id><password>${s}</password></server></servers></settings>`,
    }),
  },
  {
    name: 'XML password="…" attribute',
    plant: (s) => ({ "users.xml": `<user name="app" password="${s}"/>` }),
  },
  {
    name: 'XML <add key="…Password" value="…"/> (.NET appSettings)',
    plant: (s) => ({ "web.config": `<appSettings><add key="DbPassword" value="${s}" /></appSettings>` }),
  },
  {
    name: 'XML <property name="…password" value="…"/> (Spring)',
    plant: (s) => ({
      beans: `<bean id="ds"><property name="javax.net.ssl.keyStorePassword" value="${s}"/></bean>`,
    }),
  },
  {
    name: 'XML <entry key="…token">',
    plant: (s) => ({ props: `<properties><entry key="api.token">${s}</entry></properties>` }),
  },
  {
    name: "AWS credentials file (INI)",
    plant: (s) => ({ awsCredentials: `[default]\naws_access_key_id = ID\naws_secret_access_key = ${s}\n` }),
  },
  {
    name: "secret commented out in a YAML string",
    plant: (s) => ({ confd: { "mysql.yaml": `instances:\n  - host: db\n    # password: ${s}\n` } }),
  },
  {
    name: "env list inside a YAML string",
    plant: (s) => ({ sidecar: `env:\n- name: API_TOKEN\n  value: ${s}\n` }),
  },
  {
    name: "kubeconfig token",
    plant: (s) => ({ kubeconfig: `apiVersion: v1\nusers:\n- name: ci\n  user:\n    token: ${s}\n` }),
  },
  {
    name: "docker config.json auth",
    plant: (s) => ({ ".dockerconfigjson": JSON.stringify({ auths: { "ghcr.io": { auth: s } } }) }),
    form: (seed) => btoa(`ci:${seed}`),
  },
]);

const commandLines = inCategory("command line", [
  { name: "command-line --password=value", plant: (s) => ({ args: ["--host=db", `--password=${s}`] }) },
  { name: "command-line --token value", plant: (s) => ({ command: `agent run --token ${s} --verbose` }) },
  {
    name: 'split flag ["--db-password", x]',
    plant: (s) => ({ args: ["--db-host", "db", "--db-password", s] }),
  },
  { name: 'split flag ["--api-key", x]', plant: (s) => ({ command: ["agent", "--api-key", s] }) },
  { name: "sshpass -p x", plant: (s) => ({ command: ["sshpass", "-p", s, "ssh", "host"] }) },
  { name: "sshpass -p x in a string", plant: (s) => ({ script: `sshpass -p ${s} scp a host:b` }) },
  { name: "redis-cli -a x", plant: (s) => ({ probe: ["redis-cli", "-h", "cache", "-a", s, "ping"] }) },
  { name: "curl -u user:x", plant: (s) => ({ probe: `curl -s -u admin:${s} https://svc/healthz` }) },
  {
    name: "mysql -px",
    plant: (s) => ({ command: ["/usr/bin/mysql", "-uroot", `-p${s}`, "-e", "select 1"] }),
  },
  {
    name: "helm --set datadog.apiKey=x",
    plant: (s) => ({ note: `helm upgrade dd datadog/datadog --set datadog.apiKey=${s}` }),
  },
]);

const checkConfigs = inCategory("check config", [
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
    name: "SNMP check community_string",
    plant: (s) => ({
      confd: { "snmp.yaml": `instances:\n  - ip_address: 10.0.0.1\n    community_string: ${s}\n` },
    }),
  },
  {
    name: "SNMP v3 authKey",
    plant: (s) => ({
      snmp: { instances: [{ ip_address: "10.0.0.2", user: "u", authProtocol: "SHA", authKey: s }] },
    }),
  },
  {
    name: "SNMP v3 privKey",
    plant: (s) => ({
      snmp: { instances: [{ ip_address: "10.0.0.3", user: "u", privProtocol: "AES", privKey: s }] },
    }),
  },
]);

const shapes: Shape[] = [
  ...keyNames,
  ...envEntries,
  ...tokenFormats,
  ...privateKeys,
  ...urls,
  ...connectionStrings,
  ...fileFormats,
  ...commandLines,
  ...checkConfigs,
];

/** Every shape with its planted secret (the numeric one a number, the JWT's its middle part). */
export const SECRET_CORPUS: SecretShape[] = shapes.map((shape, i) => ({
  ...shape,
  secret:
    shape.name === "numeric password"
      ? `7391046283${String(i).padStart(2, "0")}`
      : (shape.form ?? ((seed: string) => seed))(placeholder(i)),
}));

/** Every shape planted at once, each under its own key: Helm values, or a DatadogAgent spec's `features`. */
export function corpusFragment(shapesToPlant: SecretShape[] = SECRET_CORPUS): Record<string, unknown> {
  return Object.fromEntries(shapesToPlant.map((shape, i) => [`shape${i}`, shape.plant(shape.secret)]));
}

// ---------------------------------------------------------------------------------------------
// The other way: what is no secret and must come back exactly as it was. Each of these was
// either hidden by an earlier redactor (marked "was hidden") or sits next to a rule that could
// hide it.

export interface InnocentShape {
  name: string;
  value: Record<string, unknown>;
}

export const INNOCENT_CORPUS: InnocentShape[] = [
  {
    name: "audit details auth: local (was hidden)",
    value: { source: "dashboard", reason: null, auth: "local" },
  },
  {
    name: "audit details as stored, a JSON string (was hidden)",
    value: { details: JSON.stringify({ source: "signal", reason: "x", auth: "api-token" }) },
  },
  { name: "authorization: denied (was hidden)", value: { authorization: "denied" } },
  { name: "authorization mode kubernetes (was hidden)", value: { authorization: "kubernetes" } },
  {
    name: "a verdict in a log message (was hidden)",
    value: { msg: "authorization: denied for alice, auth=proxy" },
  },
  { name: "basic_auth: none (was hidden)", value: { basic_auth: "none" } },
  { name: "XML <auth>ldap</auth>", value: { xml: "<realm><auth>ldap</auth></realm>" } },
  { name: "maxTokens, a count (was hidden)", value: { llm: { maxTokens: 4096, num_tokens: 3 } } },
  { name: "PWD, the working directory (was hidden)", value: { env: [{ name: "PWD", value: "/app" }] } },
  {
    name: "PWD=/home/app in a log line (was hidden)",
    value: { msg: "started with PWD=/home/app HOME=/home/app" },
  },
  {
    name: "ssl_key as a file path in a check config",
    value: { confd: { "postgres.yaml": "instances:\n  - host: db\n    ssl_key: /etc/ssl/client.key\n" } },
  },
  {
    name: "tls_private_key as a file path (was hidden)",
    value: { tls_private_key: "/etc/datadog-agent/certs/key.pem" },
  },
  { name: "ssh://git@ remote (was hidden)", value: { repo: "ssh://git@github.com/org/app.git" } },
  {
    name: "postgres://app@db, a user without password (was hidden)",
    value: { url: "postgres://app@db:5432/x" },
  },
  {
    name: '"Bearer tokens" in prose (was hidden)',
    value: { note: "the API expects Bearer tokens from the IdP" },
  },
  {
    name: "<DATADOG_API_KEY> placeholder of the operator's examples (was hidden)",
    value: { apiKey: "<DATADOG_API_KEY>" },
  },
  { name: "keyspace", value: { cassandra: { keyspace: "metrics" } } },
  { name: "tokenizer", value: { search: { tokenizer: "standard" } } },
  { name: "secretName (a reference)", value: { secretName: "datadog-secret" } },
  {
    name: "credentials.apiSecret.secretName/keyName (references)",
    value: { credentials: { apiSecret: { secretName: "datadog-secret", keyName: "api-key" } } },
  },
  { name: "apiKeyExistingSecret", value: { apiKeyExistingSecret: "datadog-secret" } },
  {
    name: "tokenTTL, passwordPolicy, tokenFile",
    value: { tokenTTL: "1h", passwordPolicy: "strict", tokenFile: "/var/run/token" },
  },
  { name: "createSecret: true", value: { createSecret: true } },
  { name: "site", value: { site: "datadoghq.eu" } },
  {
    name: "env entries without secrets",
    value: {
      env: [
        { name: "DD_SITE", value: "datadoghq.com" },
        { name: "DD_SECRET_BACKEND_COMMAND", value: "/readsecret.sh" },
        { name: "DD_API_KEY", valueFrom: { secretKeyRef: { name: "datadog-secret", key: "api-key" } } },
      ],
    },
  },
  {
    name: "references: ENC[], %%env_%%, $(VAR), {{ }}",
    value: {
      apiKey: "ENC[dd_api_key]",
      password: "%%env_PG_PASSWORD%%",
      token: "$(TOKEN)",
      secret: "{{ .Values.x }}",
    },
  },
  {
    name: "a check config referencing its password",
    value: { confd: { "postgres.yaml": "instances:\n  - host: db\n    password: '%%env_PG_PASSWORD%%'\n" } },
  },
  { name: "Datadog intake URL", value: { url: "https://app.datadoghq.com/api/v1/metadata" } },
  { name: "empty password", value: { dbPassword: "" } },
  { name: "bypass, oauth", value: { bypass: "yes", oauth: "enabled" } },
  { name: "keys list", value: { keys: ["a", "b"] } },
  { name: "the word token in prose", value: { note: "rotate the token every week: see the runbook" } },
  {
    name: "base64 certificate (kubeconfig certificate-authority-data)",
    value: {
      "certificate-authority-data": btoa(
        "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIRAP\n-----END CERTIFICATE-----\n",
      ),
    },
  },
  {
    name: "PEM certificate",
    value: { ca: "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIRAP\n-----END CERTIFICATE-----\n" },
  },
  {
    name: "SSH public key",
    value: { authorizedKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq7 ops@example" },
  },
  {
    name: "checksum annotation (40 hex)",
    value: { "checksum/config": "0123456789abcdef0123456789abcdef01234567" },
  },
  { name: "git commit (40 hex)", value: { commit: "89abcdef0123456789abcdef0123456789abcdef" } },
  { name: "image digest", value: { image: "gcr.io/datadoghq/agent@sha256:" + "ab".repeat(32) } },
  { name: "Stripe publishable key pk_live_", value: { checkout: "pk_live_51HqLyjWDarjtT1zdp7dc" } },
  {
    name: "GitHub hooks API URL with a numeric id",
    value: { api: "https://api.github.com/repos/o/r/hooks/12345678" },
  },
  { name: "Slack app URL", value: { link: "https://app.slack.com/client/T0000AAAA/C0000BBBB" } },
  {
    name: "token prefixes named in prose",
    value: { note: "GitHub tokens start with ghp_ and Slack ones with xoxb-" },
  },
  { name: "XML <passwordPolicy>", value: { xml: "<passwordPolicy>strict</passwordPolicy>" } },
  { name: "host:port and times", value: { note: "db.internal:5432 answered at 12:30:45" } },
  {
    name: "OAuth token endpoint",
    value: { oidc: { token_endpoint: "https://idp.example.com/oauth/token" } },
  },
  {
    name: "npm_config_registry in prose",
    value: { note: "npm_config_registry=https://registry.npmjs.org/" },
  },
  { name: "words ending in sk-", value: { deployment: "task-runner-background-worker-deployment-1" } },
  { name: "machine learning without a password", value: { note: "machine learning jobs run nightly" } },
  { name: "signatureAlgorithm", value: { jwt: { signatureAlgorithm: "RS256" } } },
  { name: "basic_auth settings as a map", value: { basic_auth: { enabled: true } } },
  { name: "--auth local flag", value: { args: ["--auth", "local"] } },
  { name: "curl -u user (no password: curl prompts)", value: { probe: "curl -u admin https://svc/healthz" } },
  { name: "mysql -P port, -h host", value: { command: ["mysql", "-h", "db", "-P", "3306"] } },
  { name: "sshpass -f file", value: { command: ["sshpass", "-f", "/run/pw", "ssh", "host"] } },
  { name: "Basic authentication in prose", value: { note: "Basic authentication is enabled on the proxy" } },
  { name: "a .pgpass-like ratio", value: { note: "split 1:2 across zones" } },
];

/** Every innocent shape at once, each under its own key. */
export function innocentFragment(): Record<string, unknown> {
  return Object.fromEntries(INNOCENT_CORPUS.map((shape, i) => [`innocent${i}`, shape.value]));
}
