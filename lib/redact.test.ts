import { describe, expect, it } from "vitest";
import { corpusFragment, INNOCENT_CORPUS, innocentFragment, SECRET_CORPUS } from "../test/secret-corpus";
import { isSecretKey, redact, redactSecrets, redactText, REDACTED, secretPaths } from "./redact";

/** The secret, its base64 and (for the numeric shape) its digits, anywhere in the JSON text. */
function leaks(value: unknown, secret: string): boolean {
  const text = JSON.stringify(value);
  return text.includes(secret) || text.includes(Buffer.from(secret).toString("base64"));
}

describe("the secrets corpus", () => {
  it("has at least 100 shapes, each secret unique, including every one issue 22 names", () => {
    expect(SECRET_CORPUS.length).toBeGreaterThanOrEqual(100);
    expect(new Set(SECRET_CORPUS.map((s) => s.secret)).size).toBe(SECRET_CORPUS.length);
    expect(new Set(SECRET_CORPUS.map((s) => s.name)).size).toBe(SECRET_CORPUS.length);
    const names = SECRET_CORPUS.map((s) => s.name).join("\n");
    for (const named of [
      "tls.key",
      "clientKey",
      "privateKeyPem",
      "client-key-data",
      "AccountKey=",
      "community_string",
      "authKey",
      "privKey",
      ".netrc",
      ".pgpass",
      '["--db-password", x]',
      "AKIA",
      "ASIA",
      "ghp_",
      "gho_",
      "ghu_",
      "ghs_",
      "ghr_",
      "github_pat_",
      "xoxb-",
      "xoxp-",
      "xoxa-",
      "xapp-",
      "sk_live_",
      "rk_live_",
      "sk_test_",
      "Datadog API key",
      "Datadog application key",
      "AIza",
      "glpat-",
      "npm_",
      "JWT",
      "Bearer",
      "Basic",
      "base64 PEM",
      "?password=",
      "?sig=",
      "Slack webhook",
      "Discord webhook",
      "Password=",
      "Pwd=",
      "JDBC",
      "XML <password>",
      'password="…"',
      "sshpass -p",
    ])
      expect(names, named).toContain(named);
    const byCategory = new Map<string, number>();
    for (const { category } of SECRET_CORPUS) byCategory.set(category, (byCategory.get(category) ?? 0) + 1);
    console.log(
      `[corpus] ${SECRET_CORPUS.length} secret shapes (${[...byCategory].map(([c, n]) => `${c}: ${n}`).join(", ")}); ` +
        `${INNOCENT_CORPUS.length} innocent shapes`,
    );
  });

  for (const shape of SECRET_CORPUS) {
    it(`redacts: ${shape.name}`, () => {
      const fragment = shape.plant(shape.secret);
      expect(leaks(fragment, shape.secret), "the fragment holds its secret").toBe(true);
      const { value, paths } = redact(fragment);
      expect(leaks(value, shape.secret), JSON.stringify(value)).toBe(false);
      expect(JSON.stringify(value)).toContain(REDACTED);
      expect(paths.length).toBeGreaterThan(0);
      // Nested anywhere, and as part of a whole document, too.
      expect(leaks(redactSecrets({ a: [{ b: fragment }] }), shape.secret)).toBe(false);
    });
  }

  it("redacts every shape planted at once, and says where", () => {
    const all = corpusFragment();
    const { value, paths } = redact(all);
    for (const shape of SECRET_CORPUS) expect(leaks(value, shape.secret), shape.name).toBe(false);
    for (let i = 0; i < SECRET_CORPUS.length; i++)
      expect(paths.some((p) => p.startsWith(`shape${i}`))).toBe(true);
  });
});

describe("what is not a secret", () => {
  for (const shape of INNOCENT_CORPUS) {
    it(`keeps: ${shape.name}`, () => {
      expect(redact(shape.value)).toEqual({ value: shape.value, paths: [] });
      const nested = { a: [{ b: shape.value }] };
      expect(redact(nested)).toEqual({ value: nested, paths: [] });
      const asText = JSON.stringify(shape.value);
      expect(redactText(asText)).toBe(asText);
    });
  }

  it("keeps every innocent shape at once, and next to every secret shape", () => {
    const innocent = innocentFragment();
    expect(redact(innocent)).toEqual({ value: innocent, paths: [] });
    const mixed = redactSecrets({ innocent, secrets: corpusFragment() });
    expect(mixed.innocent).toEqual(innocent);
  });

  it("keeps booleans, null and empty strings under secret keys", () => {
    const value = { password: "", token: null, apiKey: true, secret: false };
    expect(redact(value)).toEqual({ value, paths: [] });
  });
});

describe("isSecretKey", () => {
  it("is case- and separator-insensitive and not limited to the end of the name", () => {
    for (const key of [
      "password",
      "PASSWORD",
      "db_password",
      "DbPassword",
      "db-password",
      "db.password",
      "DB_PASSWORD_2",
      "passwd",
      "pwd",
      "mysql_pass",
      "passphrase",
      "secret",
      "clientSecret",
      "aws_secret_access_key",
      "token",
      "clusterAgentToken",
      "DD_API_KEY",
      "apiKey",
      "APIKey",
      "app-key",
      "applicationKey",
      "privateKey",
      "credentials",
      "sentry_dsn",
      "connectionString",
      "DATABASE_URL",
      "REDIS_URL",
      "mongodbUri",
      "authorization",
      "basic_auth",
      "passwordValue",
      "token_data",
      "apiKeys",
      "sessionCookie",
      "tls.key",
      "clientKey",
      "privateKeyPem",
      "client-key-data",
      "community_string",
      "authKey",
      "privKey",
      "AccountKey",
      "SharedAccessKey",
      "sharedKey",
      "hmacKey",
      "ssl_key",
      "X-Amz-Signature",
      "sig",
      "_authToken",
    ])
      expect(isSecretKey(key), key).toBe(true);
    for (const key of [
      "secretName",
      "keyName",
      "apiKeyExistingSecret",
      "tokenExistingSecret",
      "secretKeyRef",
      "tokenTTL",
      "passwordPolicy",
      "tokenFile",
      "password_file",
      "site",
      "name",
      "value",
      "key",
      "bypass",
      "oauth",
      "DD_SECRET_BACKEND_COMMAND",
      "url",
      "access_key_id",
      "keyspace",
      "tokenizer",
      "maxTokens",
      "num_tokens",
      "authType",
      "certificate-authority-data",
      "client-certificate-data",
      "signatureAlgorithm",
      "token_endpoint",
      "",
    ])
      expect(isSecretKey(key), key).toBe(false);
  });
});

describe("redact", () => {
  it("never touches its input", () => {
    const input = corpusFragment();
    const copy = structuredClone(input);
    redact(input);
    expect(input).toEqual(copy);
  });

  it("names env entries by their name and strings by what was found in them", () => {
    expect(
      secretPaths({
        override: {
          nodeAgent: {
            env: [
              { name: "DD_ENV", value: "prod" },
              { name: "DD_APP_KEY", value: "x" },
            ],
          },
        },
        confd: { "pg.yaml": "instances:\n  - password: hunter2\n" },
        url: "postgres://u:p@db/x",
      }),
    ).toEqual([
      "override.nodeAgent.env[1].value (DD_APP_KEY)",
      'confd["pg.yaml"] (YAML: instances[0].password)',
      "url (a URL password)",
    ]);
  });

  it("keeps the rest of a string and of a URL readable", () => {
    expect(redactSecrets("postgres://app:hunter2@db:5432/x?sslmode=require&password=hunter3")).toBe(
      "postgres://app:[redacted]@db:5432/x?sslmode=require&password=[redacted]",
    );
    expect(redactSecrets({ dsn: 7 })).toEqual({ dsn: REDACTED });
  });

  it("rewrites a YAML or JSON string only when it held a secret", () => {
    const yaml = "# a check\ninstances:\n  - host: db # the primary\n";
    expect(redactSecrets({ conf: yaml }).conf).toBe(yaml);
    expect(redactSecrets({ conf: "instances:\n  - host: db\n    password: x1\n" }).conf).toBe(
      `instances:\n  - host: db\n    password: "${REDACTED}"\n`,
    );
    expect(redactSecrets({ conf: '{"token": "abc", "n": 1}' }).conf).toBe(`{"token":"${REDACTED}","n":1}`);
  });

  it("is idempotent: redacting again finds nothing more", () => {
    const once = redactSecrets(corpusFragment());
    expect(redact(once)).toEqual({ value: once, paths: [] });
  });

  it("replaces what nests too deep to inspect", () => {
    let deep: unknown = { password: "hunter2" };
    for (let i = 0; i < 100; i++) deep = { a: deep };
    const { value, paths } = redact(deep);
    expect(JSON.stringify(value)).not.toContain("hunter2");
    expect(paths).toHaveLength(1);
    expect(paths[0]).toMatch(/nested too deep/);
  });
});

describe("credentials recognised by their value", () => {
  it("redacts a base64 PEM private key wrapped over several lines, and keeps a base64 certificate", () => {
    const key = btoa(
      `-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA${"x".repeat(120)}\n-----END RSA PRIVATE KEY-----\n`,
    );
    const wrappedKey = key.replace(/(.{76})/g, "$1\n");
    expect(redactText(`the key\n${wrappedKey}\n(end)`)).toBe("the key\n[redacted]\n(end)");
    const cert = btoa("-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIRAP\n-----END CERTIFICATE-----\n");
    expect(redactText(`ca: ${cert}`)).toBe(`ca: ${cert}`);
  });

  it("keeps the service's part of a webhook URL and hides its secret", () => {
    expect(redactText("post to https://hooks.slack.com/services/T0/B0/abcdefXYZ123 now")).toBe(
      "post to https://hooks.slack.com/services/[redacted] now",
    );
    expect(redactText("https://discord.com/api/webhooks/1234/tok-en_value?wait=true")).toBe(
      "https://discord.com/api/webhooks/[redacted]?wait=true",
    );
  });

  it("finds a secret that YAML read as a map key", () => {
    const { value, paths } = redact({ endpoints: { "https://user:hunter2@intake.example.com": ["k"] } });
    expect(JSON.stringify(value)).not.toContain("hunter2");
    expect(paths[0]).toMatch(/^endpoints \(a key: a URL password\)/);
  });

  it("says what it found and where, never the value", () => {
    const paths = secretPaths({
      a: "AKIAABCDEFGHIJKLMNOP",
      b: ["--db-password", "hunter2"],
      c: "db:5432:app:alice:hunter2",
      d: "<password>hunter2</password>",
    });
    expect(paths).toEqual([
      "a (an AWS access key id)",
      "b[1] (--db-password …)",
      "c (a .pgpass password)",
      "d (<password>…)",
    ]);
  });
});

describe("redactText", () => {
  it("redacts log lines (JSON) structurally and free text by its rules", () => {
    const line = JSON.stringify({ level: "info", msg: "x", spec: { token: "abc123", tokens: ["t1", "t2"] } });
    expect(JSON.parse(redactText(line))).toEqual({
      level: "info",
      msg: "x",
      spec: { token: REDACTED, tokens: [REDACTED, REDACTED] },
    });
    expect(redactText("request failed: Authorization: Bearer abcdef123456")).toBe(
      "request failed: Authorization: Bearer [redacted]",
    );
    expect(redactText("connecting with --password s3cret and user=bob")).toBe(
      "connecting with --password [redacted] and user=bob",
    );
    expect(redactText("nothing to see here: 12:30, https://example.com")).toBe(
      "nothing to see here: 12:30, https://example.com",
    );
  });
});

describe("adversarial input", () => {
  // Anyone who may create a ConfigMap can hand the Helm forwarder values: no pattern may take
  // quadratic time on them. Each of these is ~1 MB; a quadratic pattern would run for hours.
  const MB = 1024 * 1024;
  const inputs: Record<string, string> = {
    "a base64url blob": "eyJ-a_".repeat(MB / 6),
    "dashes and letters": "-a".repeat(MB / 2),
    "schemes without userinfo": "a.b-c+d".repeat(MB / 7),
    "names without values": "password ".repeat(MB / 9),
    "assignments with unclosed quotes": 'a="b '.repeat(MB / 5),
    "private key headers without end": "-----BEGIN PRIVATE KEY-----x".repeat(MB / 28),
    flags: "--token ".repeat(MB / 8),
    "names with unquoted values": "url:key:".repeat(MB / 8),
    "token prefixes": "ghp_xoxb-AKIAsk_live_AIzaglpat-npm_".repeat(MB / 34),
    "a token's run": `xoxb-${"a-".repeat(MB / 2)}`,
    "URLs without paths, comma-separated": "http://a,".repeat(MB / 9),
    "schemes without userinfo, comma-separated": "s://a,".repeat(MB / 6),
    "webhook-like paths": "https://x/hooks/".repeat(MB / 16),
    "Oracle JDBC without @": "jdbc:oracle:thin:a/".repeat(MB / 19),
    // 256 KB: each line is a YAML key too, and parsing YAML costs ~10 µs a line.
    "pgpass-like lines without a password": "a:1:b:c:\n".repeat(MB / 4 / 9),
    "one pgpass-like line of fields": `a:1:b:${"c".repeat(MB)}`,
    "netrc words": "machine x password ".repeat(MB / 19),
    "XML open tags": "<password>".repeat(MB / 10),
    "XML attributes without values": '<add key="password" value="'.repeat(MB / 27),
    "base64 PEM prefixes": "LS0tLS1CRUdJTi ".repeat(MB / 15),
    "Basic words": "Basic QUFBQUFB ".repeat(MB / 16),
    "command lines": "sshpass -p curl -u mysql -p".repeat(MB / 27),
  };
  for (const [name, text] of Object.entries(inputs)) {
    it(`does not stall on ${name}`, { timeout: 30_000 }, () => {
      expect(typeof redactText(text)).toBe("string");
      expect(typeof redactSecrets({ conf: `${text}\nkey: value\n` }).conf).toBe("string");
    });
  }
});
