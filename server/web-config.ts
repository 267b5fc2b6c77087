// The dashboard's configuration (environment only), validated with zod by `npm run web`
// before Next starts and by the server code that reads it.
import { isIP } from "node:net";
import { z } from "zod";
import { ConfigError, parseEnvWith } from "@/lib/env";

const secret = (name: string) =>
  z
    .string()
    .trim()
    .min(16, `${name} must be at least 16 characters (use a random value, e.g. openssl rand -hex 24)`);

export const webEnvSchema = z
  .object({
    FLEETDECK_WEB_HOST: z.string().trim().min(1).default("127.0.0.1"),
    FLEETDECK_WEB_PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    DATABASE_URL: z.string().trim().optional(),
    /** Actor recorded for requests when the dashboard is bound to loopback without a login. */
    FLEETDECK_LOCAL_ACTOR: z.string().trim().min(1).max(64).default("local"),
    /** Enables the login form: whoever knows this token signs in as `admin`. */
    FLEETDECK_ADMIN_TOKEN: secret("FLEETDECK_ADMIN_TOKEN").optional(),
    /** A reverse proxy's identity header (e.g. X-Forwarded-User), trusted only with the secret below. */
    FLEETDECK_AUTH_PROXY_HEADER: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9-]+$/, "must be an HTTP header name")
      .transform((v) => v.toLowerCase())
      .optional(),
    /** The proxy proves itself by sending this value in X-Fleetdeck-Proxy-Secret. */
    FLEETDECK_AUTH_PROXY_SECRET: secret("FLEETDECK_AUTH_PROXY_SECRET").optional(),
    /** The proxy's groups header (e.g. X-Forwarded-Groups, comma-separated): the user's Kubernetes groups. */
    FLEETDECK_AUTH_PROXY_GROUPS_HEADER: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9-]+$/, "must be an HTTP header name")
      .transform((v) => v.toLowerCase())
      .optional(),
    /** Bearer token of POST /api/signals (the Remote Config experiment signal). */
    FLEETDECK_API_TOKEN: secret("FLEETDECK_API_TOKEN").optional(),
    /** Actor recorded on commands that arrive through /api/signals. */
    FLEETDECK_SIGNAL_ACTOR: z.string().trim().min(1).max(64).default("fleet-automation"),
    /**
     * The Kubernetes identity of the API token's callers (namespace/name of a ServiceAccount):
     * what the controller's authorization (FLEETDECK_AUTHZ=kubernetes) asks about their commands.
     */
    FLEETDECK_API_TOKEN_SERVICE_ACCOUNT: z
      .string()
      .trim()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "expected namespace/name")
      .default("fleetdeck-system/fleet-automation")
      .transform((v) => {
        const [namespace = "", name = ""] = v.split("/");
        return { namespace, name };
      }),
    /**
     * Addresses (or CIDR ranges) of reverse proxies in front of the dashboard, e.g. an Ingress
     * controller's pods: a request whose socket peer is one of them has its client address
     * taken from X-Forwarded-For (the sign-in throttle and the sign-in audit rows).
     */
    FLEETDECK_TRUSTED_PROXIES: z
      .string()
      .optional()
      .transform((v, ctx) => {
        const entries = (v ?? "")
          .split(",")
          .map((e) => e.trim())
          .filter(Boolean);
        for (const entry of entries) {
          const [address = "", bits, extra] = entry.split("/");
          const family = isIP(address);
          const max = family === 6 ? 128 : 32;
          if (
            !family ||
            extra !== undefined ||
            (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= max))
          )
            ctx.addIssue({ code: "custom", message: `"${entry}" is not an IP address or a CIDR range` });
        }
        return entries;
      }),
    /** Extra Host header values to accept (comma-separated), e.g. the name of a reverse proxy. */
    FLEETDECK_ALLOWED_HOSTS: z
      .string()
      .optional()
      .transform((v) =>
        v
          ? v
              .split(",")
              .map((h) => h.trim().toLowerCase())
              .filter(Boolean)
          : [],
      ),
  })
  .superRefine((env, ctx) => {
    if (!!env.FLEETDECK_AUTH_PROXY_HEADER !== !!env.FLEETDECK_AUTH_PROXY_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["FLEETDECK_AUTH_PROXY_SECRET"],
        message: "FLEETDECK_AUTH_PROXY_HEADER and FLEETDECK_AUTH_PROXY_SECRET go together",
      });
    }
    if (env.FLEETDECK_AUTH_PROXY_GROUPS_HEADER && !env.FLEETDECK_AUTH_PROXY_HEADER) {
      ctx.addIssue({
        code: "custom",
        path: ["FLEETDECK_AUTH_PROXY_GROUPS_HEADER"],
        message: "FLEETDECK_AUTH_PROXY_GROUPS_HEADER needs FLEETDECK_AUTH_PROXY_HEADER",
      });
    }
    const names = [env.FLEETDECK_AUTH_PROXY_HEADER, env.FLEETDECK_AUTH_PROXY_GROUPS_HEADER];
    if (names[1] && names[1] === names[0]) {
      ctx.addIssue({
        code: "custom",
        path: ["FLEETDECK_AUTH_PROXY_GROUPS_HEADER"],
        message: "the groups header cannot be the user header",
      });
    }
    for (const [i, name] of names.entries()) {
      if (name === "x-fleetdeck-proxy-secret") {
        ctx.addIssue({
          code: "custom",
          path: [i === 0 ? "FLEETDECK_AUTH_PROXY_HEADER" : "FLEETDECK_AUTH_PROXY_GROUPS_HEADER"],
          message: "X-Fleetdeck-Proxy-Secret carries the proxy's secret, not an identity",
        });
      }
    }
  });

export type WebConfig = z.infer<typeof webEnvSchema>;

export function loadWebConfig(env: Record<string, string | undefined>): WebConfig {
  return parseEnvWith(webEnvSchema, env);
}

/** A loopback host name or address (127.0.0.0/8, ::1, its IPv4-mapped form, localhost). */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * What the operator must make sure of that the dashboard cannot check, said at start: with a
 * trusted proxy, the identity headers are believed as sent (with the secret), so the proxy must
 * replace any the client sends; and only the proxy should reach the dashboard.
 */
export function proxyWarnings(config: WebConfig): string[] {
  const user = config.FLEETDECK_AUTH_PROXY_HEADER;
  if (!user) return [];
  const groups = config.FLEETDECK_AUTH_PROXY_GROUPS_HEADER;
  const warnings = [
    `trusted proxy: the dashboard believes ${user}${groups ? ` and ${groups}` : ""} from any request ` +
      `carrying the proxy's secret; the proxy must delete the client's own ${groups ? "headers of those names" : "header of that name"} ` +
      `and set ${groups ? "them" : "it"} itself on every route (oauth2-proxy does for the headers it injects, as config/deploy/oauth2-proxy configures it), ` +
      `or anyone may claim any ${groups ? "user and any group" : "user"}`,
  ];
  if (!isLoopback(config.FLEETDECK_WEB_HOST)) {
    warnings.push(
      `trusted proxy: the dashboard listens on ${config.FLEETDECK_WEB_HOST}, not on loopback: only the proxy ` +
        "should reach it (config/deploy runs it on 127.0.0.1 beside the proxy, behind a NetworkPolicy)",
    );
  }
  return warnings;
}

export type AuthMode = "local" | "login";

/**
 * Without an admin token or a trusted proxy the dashboard trusts whoever can reach it (as
 * `kubectl argo rollouts dashboard` does), which is safe only on loopback: the request gate
 * and every actor check also require the listening socket to be a loopback one
 * (server/web-listener.ts), whatever the variables say.
 */
export function authMode(config: WebConfig): AuthMode {
  return config.FLEETDECK_ADMIN_TOKEN || config.FLEETDECK_AUTH_PROXY_HEADER ? "login" : "local";
}

/**
 * Refuses to serve on `address` (the configured host before listening, the socket's address
 * after) without authentication unless it is loopback.
 */
export function assertServable(config: WebConfig, address: string): void {
  if (authMode(config) === "login" || isLoopback(address)) return;
  throw new ConfigError(
    `refusing to serve the dashboard on ${address} without authentication: ` +
      "set FLEETDECK_ADMIN_TOKEN (login form) or FLEETDECK_AUTH_PROXY_HEADER with FLEETDECK_AUTH_PROXY_SECRET (trusted proxy), " +
      "or bind to 127.0.0.1",
  );
}
