// The browser suite's sign-in stack, as config/deploy ships it: a real OpenID Provider (ours, on
// zitadel/oidc: hack/oidc/provider) with static users and groups, and oauth2-proxy run with
// config/deploy/oauth2-proxy's configuration and arguments, both built from their Go modules by
// `npm run oidc:build` and started on loopback free ports in front of a dashboard.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import YAML from "yaml";
import { REPO_ROOT } from "./paths";
import { freePort, startProcess, waitForHttp, type RunningProcess } from "./processes";

export interface OidcBinaries {
  dir: string;
  oauth2Proxy: string;
  provider: string;
  oauth2ProxyVersion: string;
  zitadelOidcVersion: string;
}

/** Versions and cache paths, read through hack/oidc/versions.sh so go.mod stays the one source. */
export function oidcBinaries(): OidcBinaries {
  const out = execFileSync(
    "bash",
    [
      "-c",
      `source "${REPO_ROOT}/hack/oidc/versions.sh" && printf '%s\\n' "$OIDC_BIN_DIR" "$OAUTH2_PROXY_BINARY" "$OIDC_PROVIDER_BINARY" "$OAUTH2_PROXY_VERSION" "$ZITADEL_OIDC_VERSION"`,
    ],
    { encoding: "utf8" },
  ).trim();
  const [dir = "", oauth2Proxy = "", provider = "", oauth2ProxyVersion = "", zitadelOidcVersion = ""] =
    out.split("\n");
  return { dir, oauth2Proxy, provider, oauth2ProxyVersion, zitadelOidcVersion };
}

/** Throws the message users need when the binaries have not been built (or the provider changed). */
export function assertOidcBuilt(bins = oidcBinaries()): void {
  const missing = [bins.oauth2Proxy, bins.provider].filter((b) => !fs.existsSync(b));
  if (missing.length > 0) {
    throw new Error(
      `the sign-in stack is not built (missing ${missing.map((b) => path.basename(b)).join(", ")} in ${bins.dir}): run npm run oidc:build`,
    );
  }
}

export interface OidcUser {
  username: string;
  password: string;
  /** The claim oauth2-proxy passes as the user (X-Forwarded-User). */
  email: string;
  groups: string[];
}

export interface SignInStackOptions {
  /** Names the log files. */
  name: string;
  /** The dashboard's URL (on loopback), what the proxy forwards to. */
  upstream: string;
  /** The dashboard's FLEETDECK_AUTH_PROXY_SECRET, which the proxy sends along. */
  proxySecret: string;
  users: OidcUser[];
  clientSecret: string;
  /** oauth2-proxy's cookie secret: 16, 24 or 32 bytes. */
  cookieSecret: string;
}

export interface SignInStack {
  /** Where people go: oauth2-proxy in front of the dashboard. */
  url: string;
  /** The OpenID Provider's issuer (its sign-in form is under it). */
  issuer: string;
  stop(): Promise<void>;
}

const DEPLOY = path.join(REPO_ROOT, "config/deploy/oauth2-proxy");

/** The sidecar's arguments as config/deploy ships them (config/deploy/oauth2-proxy/sidecar.yaml). */
export function shippedProxyArgs(): string[] {
  const patch = YAML.parse(fs.readFileSync(path.join(DEPLOY, "sidecar.yaml"), "utf8")) as {
    path: string;
    value: { name?: string; args?: string[] };
  }[];
  const container = patch.find((op) => op.path.endsWith("/containers/-"))!.value;
  return container.args ?? [];
}

export async function startSignInStack(options: SignInStackOptions): Promise<SignInStack> {
  const bins = oidcBinaries();
  assertOidcBuilt(bins);
  const [providerPort, proxyPort] = [await freePort(), await freePort()];
  const issuer = `http://127.0.0.1:${providerPort}`;
  const url = `http://127.0.0.1:${proxyPort}`;
  const clientId = "fleetdeck";
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleetdeck-oidc-"));
  const config = path.join(dir, "provider.json");
  fs.writeFileSync(
    config,
    JSON.stringify({
      clients: [{ id: clientId, secret: options.clientSecret, redirectURIs: [`${url}/oauth2/callback`] }],
      users: options.users,
    }),
    { mode: 0o600 },
  );
  const processes: RunningProcess[] = [];
  const stop = async () => {
    await Promise.all(processes.map((p) => p.stop()));
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const provider = startProcess(`${options.name}-oidc-provider`, bins.provider, [
      `-issuer=${issuer}`,
      `-addr=127.0.0.1:${providerPort}`,
      `-config=${config}`,
    ]);
    processes.push(provider);
    // oauth2-proxy reads the provider's discovery document when it starts.
    await waitForHttp(`${issuer}/.well-known/openid-configuration`, { proc: provider });
    const args = shippedProxyArgs().map((arg) =>
      arg.startsWith("--alpha-config=") ? `--alpha-config=${path.join(DEPLOY, "oauth2-proxy.yaml")}` : arg,
    );
    const proxy = startProcess(
      `${options.name}-oauth2-proxy`,
      bins.oauth2Proxy,
      // Plain http on loopback here: a Secure cookie would not come back.
      [...args, "--cookie-secure=false"],
      {
        OAUTH2_PROXY_BIND_ADDRESS: `127.0.0.1:${proxyPort}`,
        FLEETDECK_DASHBOARD_URL: options.upstream,
        OAUTH2_PROXY_COOKIE_SECRET: options.cookieSecret,
        OAUTH2_PROXY_REDIRECT_URL: `${url}/oauth2/callback`,
        OIDC_ISSUER_URL: issuer,
        OIDC_CLIENT_ID: clientId,
        OIDC_CLIENT_SECRET: options.clientSecret,
        FLEETDECK_AUTH_PROXY_SECRET: options.proxySecret,
      },
    );
    processes.push(proxy);
    await waitForHttp(`${url}/ping`, { proc: proxy });
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, issuer, stop };
}
