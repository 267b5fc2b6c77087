// The secrets the test runs hand to fleetdeck (placeholders, never real ones), and the scan that
// proves none of them leaked: after the integration and browser runs, no log line, SQLite file
// or page holds one (e2e/secrets-scan.spec.ts runs it last). The corpus shapes of
// test/secret-corpus.ts are scanned for too.
import fs from "node:fs";
import path from "node:path";
import { SECRET_CORPUS } from "./secret-corpus";

export const TEST_SECRETS = {
  /** DD_API_KEY of the e2e controller (a request header to the fake intake, nothing else). */
  ddApiKey: "e2e-placeholder-not-a-real-key",
  /** FLEETDECK_ADMIN_TOKEN of the authenticated dashboard in e2e/auth.spec.ts. */
  adminToken: "e2e-admin-token-0123456789",
  /** FLEETDECK_API_TOKEN (bearer token of /api/signals) in e2e/auth.spec.ts. */
  apiToken: "e2e-api-token-0123456789",
  /** FLEETDECK_AUTH_PROXY_SECRET of the dashboard behind oauth2-proxy in e2e/sign-in.spec.ts. */
  proxySecret: "e2e-proxy-secret-0123456789",
  /** The OIDC client secret oauth2-proxy holds at the test OpenID Provider (testing/oidc.ts). */
  oidcClientSecret: "e2e-oidc-client-secret-0123456789",
  /** oauth2-proxy's cookie secret (32 bytes). */
  oauth2ProxyCookieSecret: "e2e-cookie-secret-0123456789abcd",
  /** The passwords of alice and bob at the test OpenID Provider. */
  alicePassword: "e2e-alice-password-0123456789",
  bobPassword: "e2e-bob-password-0123456789",
  /** DD_API_KEY of the metadata integration tests. */
  metadataApiKey: "test-api-key-not-a-real-one",
  /** An API key inside Helm values: redacted before it is sent, stored or shown. */
  helmValuesApiKey: "0123456789abcdef0123456789abcdef",
} as const;

/** Every secret the scan looks for: the test secrets and every corpus shape's. */
export const SCANNED_SECRETS: readonly string[] = [
  ...Object.values(TEST_SECRETS),
  ...SECRET_CORPUS.map((shape) => shape.secret),
];

// Kubernetes ServiceAccount tokens (JWTs) and bearer headers, whatever their value.
const TOKEN_PATTERNS: { name: string; pattern: RegExp }[] = [
  {
    name: "a JWT (Kubernetes token)",
    pattern: /eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/,
  },
  { name: "an Authorization header value", pattern: /Bearer [A-Za-z0-9._~+/=-]{16,}/ },
];

export interface Leak {
  where: string;
  what: string;
  excerpt: string;
}

/** Every known secret (and its base64 form) and every token pattern found in `text`. */
export function findSecrets(
  text: string,
  where: string,
  secrets: readonly string[] = SCANNED_SECRETS,
): Leak[] {
  const leaks: Leak[] = [];
  const excerpt = (at: number) => text.slice(Math.max(0, at - 60), at + 60).replace(/\s+/g, " ");
  for (const secret of secrets) {
    for (const form of [secret, Buffer.from(secret).toString("base64")]) {
      const at = text.indexOf(form);
      if (at !== -1) leaks.push({ where, what: `secret ${secret.slice(0, 6)}…`, excerpt: excerpt(at) });
    }
  }
  for (const { name, pattern } of TOKEN_PATTERNS) {
    const match = pattern.exec(text);
    if (match) leaks.push({ where, what: name, excerpt: excerpt(match.index) });
  }
  return leaks;
}

/**
 * Scans files as bytes (SQLite databases with their WAL, including free pages, and logs).
 * `files` may name directories: every file under them is scanned.
 */
export function scanFiles(
  paths: string[],
  secrets?: readonly string[],
): { scanned: string[]; leaks: Leak[] } {
  const scanned: string[] = [];
  const leaks: Leak[] = [];
  const visit = (p: string) => {
    if (!fs.existsSync(p)) return;
    if (fs.statSync(p).isDirectory()) {
      for (const entry of fs.readdirSync(p)) visit(path.join(p, entry));
      return;
    }
    scanned.push(p);
    leaks.push(...findSecrets(fs.readFileSync(p).toString("latin1"), p, secrets));
  };
  paths.forEach(visit);
  return { scanned, leaks };
}
