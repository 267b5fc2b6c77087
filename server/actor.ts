// Who is asking: the dashboard's authentication, as functions of the configuration, the
// request's headers and cookie, and two facts given by the caller (the listening socket and
// the session store), so the request gate (proxy.ts), server actions and route handlers all
// decide the same way.
import { createHash, timingSafeEqual } from "node:crypto";
import type { AuthMethod, Subject } from "@/lib/access";
import { authMode, type WebConfig } from "./web-config";
import type { WebListener } from "./web-listener";

export const SESSION_COOKIE = "fleetdeck_session";
export const PROXY_SECRET_HEADER = "x-fleetdeck-proxy-secret";

export interface Actor {
  /** Recorded on commands and audit rows. */
  name: string;
  via: AuthMethod;
  /**
   * The Kubernetes identity the controller's authorization asks about (FLEETDECK_AUTHZ):
   * the proxy's user and groups, or the API token's ServiceAccount. Absent for the actors with
   * full power (loopback without a login, the admin token).
   */
  subject?: Subject;
}

/** Compares secrets in constant time (hashing first makes the lengths equal). */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

export interface RequestCredentials {
  header(name: string): string | null | undefined;
  sessionCookie?: string;
}

export interface AuthContext {
  /** The dashboard server's socket (server/web-listener.ts); local mode needs a loopback one. */
  listener: WebListener | undefined;
  /** The actor of the live server-side session a cookie names, or null. */
  session(cookie: string): Promise<string | null>;
}

/** Why this process may not run without a login, or null when it may (or has a login). */
export function localModeRefusal(config: WebConfig, listener: WebListener | undefined): string | null {
  if (authMode(config) !== "local") return null;
  const fix = "set FLEETDECK_ADMIN_TOKEN or a trusted proxy, or serve it on 127.0.0.1 with npm run web";
  if (!listener) {
    return `no login is configured and this dashboard is not served by its own server, so it cannot tell that it listens on loopback only: ${fix}`;
  }
  if (!listener.loopback)
    return `no login is configured and this dashboard listens on ${listener.address}: ${fix}`;
  return null;
}

// A user or group name as an identity provider sends it: printable, bounded. Kubernetes
// reserves the "system:" prefix for its own users and groups; a proxy may not claim them.
const USER = /^[\w.@+:-]{1,128}$/;
const GROUP = /^[\x21-\x2b\x2d-\x7e]([\x20-\x2b\x2d-\x7e]{0,254}[\x21-\x2b\x2d-\x7e])?$/;
const MAX_GROUPS = 64;

/**
 * The user (and groups) a trusted reverse proxy vouches for, or null when the request does not
 * carry the proxy's secret or names no acceptable user. Groups that are not names, or claim
 * the "system:" prefix, are left out (RBAC only grants, so fewer groups never grant more).
 */
export function proxyIdentity(config: WebConfig, header: RequestCredentials["header"]): Subject | null {
  if (!config.FLEETDECK_AUTH_PROXY_HEADER || !config.FLEETDECK_AUTH_PROXY_SECRET) return null;
  const secret = header(PROXY_SECRET_HEADER);
  if (!secret || !secretsEqual(secret, config.FLEETDECK_AUTH_PROXY_SECRET)) return null;
  const user = header(config.FLEETDECK_AUTH_PROXY_HEADER)?.trim();
  if (!user || !USER.test(user) || user.startsWith("system:")) return null;
  const listed = config.FLEETDECK_AUTH_PROXY_GROUPS_HEADER
    ? (header(config.FLEETDECK_AUTH_PROXY_GROUPS_HEADER) ?? "").split(",").map((g) => g.trim())
    : [];
  const groups = [...new Set(listed.filter((g) => GROUP.test(g) && !g.startsWith("system:")))];
  // Every user the API server authenticates is in system:authenticated; so is this one.
  return { user, groups: [...groups.slice(0, MAX_GROUPS), "system:authenticated"] };
}

/** The actor of a request, or null when it must sign in. */
export async function resolveActor(
  config: WebConfig,
  request: RequestCredentials,
  context: AuthContext,
): Promise<Actor | null> {
  if (authMode(config) === "local") {
    if (localModeRefusal(config, context.listener)) return null;
    return { name: config.FLEETDECK_LOCAL_ACTOR, via: "local" };
  }
  const proxied = proxyIdentity(config, request.header);
  if (proxied) return { name: proxied.user, via: "proxy", subject: proxied };
  if (config.FLEETDECK_ADMIN_TOKEN && request.sessionCookie) {
    const name = await context.session(request.sessionCookie);
    if (name) return { name, via: "admin-token" };
  }
  return null;
}

/**
 * Host names a browser may use to reach the dashboard. Anything else is refused, which stops
 * DNS-rebinding pages from talking to a dashboard on loopback.
 */
export function allowedHost(config: WebConfig, host: string | null): boolean {
  if (!host) return false;
  const h = host.toLowerCase();
  const port = String(config.FLEETDECK_WEB_PORT);
  const name = h.startsWith("[") ? h.slice(0, h.indexOf("]") + 1) : h.split(":")[0]!;
  const hostPort = h.slice(name.length + 1);
  if (config.FLEETDECK_ALLOWED_HOSTS.includes(h) || config.FLEETDECK_ALLOWED_HOSTS.includes(name))
    return true;
  const bound = config.FLEETDECK_WEB_HOST.toLowerCase();
  const sameHost =
    ["localhost", "127.0.0.1", "[::1]"].includes(name) ||
    (bound !== "0.0.0.0" && bound !== "::" && name === bound);
  return sameHost && (hostPort === "" || hostPort === port);
}
