// Who is asking: the dashboard's authentication, as pure functions of the configuration and
// the request's headers and cookie, so the request gate (proxy.ts), server actions and route
// handlers all decide the same way.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { authMode, type WebConfig } from "./web-config";

export const SESSION_COOKIE = "fleetdeck_session";
export const PROXY_SECRET_HEADER = "x-fleetdeck-proxy-secret";
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export interface Actor {
  name: string;
  via: "local" | "session" | "proxy";
}

/** Compares secrets in constant time (hashing first makes the lengths equal). */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

// Sessions are signed with a key derived from the admin token: changing the token signs
// everyone out, and the token itself never travels in the cookie.
function sessionKey(adminToken: string): Buffer {
  return createHmac("sha256", adminToken).update("fleetdeck-session-v1").digest();
}

export function signSession(adminToken: string, actor: string, now = Date.now()): string {
  const payload = Buffer.from(JSON.stringify({ sub: actor, exp: now + SESSION_TTL_MS })).toString(
    "base64url",
  );
  const mac = createHmac("sha256", sessionKey(adminToken)).update(payload).digest("base64url");
  return `${payload}.${mac}`;
}

export function verifySession(adminToken: string, cookie: string, now = Date.now()): string | null {
  const [payload, mac, extra] = cookie.split(".");
  if (!payload || !mac || extra !== undefined) return null;
  const expected = createHmac("sha256", sessionKey(adminToken)).update(payload).digest("base64url");
  if (!secretsEqual(mac, expected)) return null;
  try {
    const { sub, exp } = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as {
      sub?: unknown;
      exp?: unknown;
    };
    if (typeof sub !== "string" || typeof exp !== "number" || exp < now) return null;
    return sub;
  } catch {
    return null;
  }
}

export interface RequestCredentials {
  header(name: string): string | null | undefined;
  sessionCookie?: string;
}

/** The actor of a request, or null when it must sign in. */
export function resolveActor(config: WebConfig, request: RequestCredentials): Actor | null {
  if (authMode(config) === "local") return { name: config.FLEETDECK_LOCAL_ACTOR, via: "local" };
  if (config.FLEETDECK_AUTH_PROXY_HEADER && config.FLEETDECK_AUTH_PROXY_SECRET) {
    const secret = request.header(PROXY_SECRET_HEADER);
    const user = request.header(config.FLEETDECK_AUTH_PROXY_HEADER)?.trim();
    if (
      secret &&
      user &&
      secretsEqual(secret, config.FLEETDECK_AUTH_PROXY_SECRET) &&
      /^[\w.@+-]{1,128}$/.test(user)
    ) {
      return { name: user, via: "proxy" };
    }
  }
  if (config.FLEETDECK_ADMIN_TOKEN && request.sessionCookie) {
    const name = verifySession(config.FLEETDECK_ADMIN_TOKEN, request.sessionCookie);
    if (name) return { name, via: "session" };
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
