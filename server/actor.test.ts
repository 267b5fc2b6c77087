import { describe, expect, it } from "vitest";
import { allowedHost, localModeRefusal, PROXY_SECRET_HEADER, resolveActor, type AuthContext } from "./actor";
import { assertServable, authMode, loadWebConfig, proxyWarnings } from "./web-config";
import type { WebListener } from "./web-listener";

const TOKEN = "0123456789abcdef0123";
const PROXY_SECRET = "proxy-secret-0123456789";
const headers = (h: Record<string, string>) => (name: string) => h[name.toLowerCase()] ?? null;
const loopback: WebListener = { address: "127.0.0.1", port: 3000, loopback: true };
const wildcard: WebListener = { address: "0.0.0.0", port: 3000, loopback: false };

/** A session store with one live session, "good-cookie" → admin. */
const context = (listener: WebListener | undefined): AuthContext => ({
  listener,
  session: async (cookie) => (cookie === "good-cookie" ? "admin" : null),
});

describe("resolveActor", () => {
  it("trusts everyone without a login only while the dashboard's socket is loopback", async () => {
    const config = loadWebConfig({});
    expect(authMode(config)).toBe("local");
    expect(await resolveActor(config, { header: headers({}) }, context(loopback))).toEqual({
      name: "local",
      via: "local",
    });
    // Whatever the variables say (FLEETDECK_WEB_HOST is 127.0.0.1 here), the socket decides.
    expect(await resolveActor(config, { header: headers({}) }, context(wildcard))).toBeNull();
    expect(await resolveActor(config, { header: headers({}) }, context(undefined))).toBeNull();
    expect(localModeRefusal(config, wildcard)).toMatch(/listens on 0\.0\.0\.0/);
    expect(localModeRefusal(config, undefined)).toMatch(/not served by its own server/);
  });

  it("requires a live server-side session when an admin token is configured", async () => {
    const config = loadWebConfig({ FLEETDECK_ADMIN_TOKEN: TOKEN });
    expect(await resolveActor(config, { header: headers({}) }, context(loopback))).toBeNull();
    expect(
      await resolveActor(config, { header: headers({}), sessionCookie: "good-cookie" }, context(loopback)),
    ).toEqual({ name: "admin", via: "admin-token" });
    expect(
      await resolveActor(config, { header: headers({}), sessionCookie: "ended-cookie" }, context(loopback)),
    ).toBeNull();
  });

  it("trusts the proxy's identity headers only with the proxy secret, and records the user's groups", async () => {
    const config = loadWebConfig({
      FLEETDECK_WEB_HOST: "0.0.0.0",
      FLEETDECK_AUTH_PROXY_HEADER: "X-Forwarded-User",
      FLEETDECK_AUTH_PROXY_SECRET: PROXY_SECRET,
      FLEETDECK_AUTH_PROXY_GROUPS_HEADER: "X-Forwarded-Groups",
    });
    const as = (h: Record<string, string>) => resolveActor(config, { header: headers(h) }, context(wildcard));
    expect(await as({ "x-forwarded-user": "alice" })).toBeNull();
    expect(await as({ "x-forwarded-user": "alice", [PROXY_SECRET_HEADER]: "wrong" })).toBeNull();
    expect(
      await as({
        "x-forwarded-user": "alice",
        "x-forwarded-groups": "sre, platform team,,system:masters,bad\u0001group",
        [PROXY_SECRET_HEADER]: PROXY_SECRET,
      }),
    ).toEqual({
      name: "alice",
      via: "proxy",
      subject: { user: "alice", groups: ["sre", "platform team", "system:authenticated"] },
    });
    // Kubernetes' own names are not the proxy's to give.
    expect(await as({ "x-forwarded-user": "system:admin", [PROXY_SECRET_HEADER]: PROXY_SECRET })).toBeNull();
  });
});

describe("assertServable", () => {
  it("refuses to serve beyond loopback without authentication", () => {
    const open = loadWebConfig({ FLEETDECK_WEB_HOST: "0.0.0.0" });
    expect(() => assertServable(open, "0.0.0.0")).toThrow(
      /refusing to serve the dashboard on 0.0.0.0 without authentication/,
    );
    expect(() => assertServable(open, "::")).toThrow(/on :: without authentication/);
    expect(() => assertServable(loadWebConfig({}), "127.0.0.1")).not.toThrow();
    expect(() => assertServable(loadWebConfig({}), "::ffff:127.0.0.1")).not.toThrow();
    const withToken = loadWebConfig({ FLEETDECK_WEB_HOST: "0.0.0.0", FLEETDECK_ADMIN_TOKEN: TOKEN });
    expect(authMode(withToken)).toBe("login");
    expect(() => assertServable(withToken, "0.0.0.0")).not.toThrow();
  });

  it("rejects a short token, a proxy header without its secret, and a groups header without a proxy", () => {
    expect(() => loadWebConfig({ FLEETDECK_ADMIN_TOKEN: "short" })).toThrow(
      /FLEETDECK_ADMIN_TOKEN must be at least 16 characters/,
    );
    expect(() => loadWebConfig({ FLEETDECK_AUTH_PROXY_HEADER: "X-User" })).toThrow(/go together/);
    const proxy = { FLEETDECK_AUTH_PROXY_HEADER: "X-User", FLEETDECK_AUTH_PROXY_SECRET: PROXY_SECRET };
    expect(() => loadWebConfig({ ...proxy, FLEETDECK_AUTH_PROXY_GROUPS_HEADER: "x-user" })).toThrow(
      /the groups header cannot be the user header/,
    );
    expect(() =>
      loadWebConfig({ ...proxy, FLEETDECK_AUTH_PROXY_GROUPS_HEADER: "X-Fleetdeck-Proxy-Secret" }),
    ).toThrow(/carries the proxy's secret, not an identity/);
    expect(() => loadWebConfig({ FLEETDECK_TRUSTED_PROXIES: "10.0.0.0/33" })).toThrow(
      /"10.0.0.0\/33" is not an IP address or a CIDR range/,
    );
    expect(() => loadWebConfig({ FLEETDECK_TRUSTED_PROXIES: "ingress" })).toThrow(
      /"ingress" is not an IP address/,
    );
    expect(
      loadWebConfig({ FLEETDECK_TRUSTED_PROXIES: " 10.0.0.0/8,::1 " }).FLEETDECK_TRUSTED_PROXIES,
    ).toEqual(["10.0.0.0/8", "::1"]);
    expect(() => loadWebConfig({ FLEETDECK_AUTH_PROXY_GROUPS_HEADER: "X-Groups" })).toThrow(
      /needs FLEETDECK_AUTH_PROXY_HEADER/,
    );
  });
});

describe("allowedHost", () => {
  const config = loadWebConfig({ FLEETDECK_WEB_PORT: "3000", FLEETDECK_ALLOWED_HOSTS: "dash.example.com" });
  it("accepts the loopback names on the dashboard's port and configured names", () => {
    expect(allowedHost(config, "127.0.0.1:3000")).toBe(true);
    expect(allowedHost(config, "localhost:3000")).toBe(true);
    expect(allowedHost(config, "[::1]:3000")).toBe(true);
    expect(allowedHost(config, "dash.example.com")).toBe(true);
  });
  it("refuses anything else (DNS rebinding)", () => {
    expect(allowedHost(config, "evil.example.com:3000")).toBe(false);
    expect(allowedHost(config, "127.0.0.1:4000")).toBe(false);
    expect(allowedHost(config, null)).toBe(false);
  });
});

describe("proxyWarnings", () => {
  it("tells the operator, at start, what the proxy must do with the identity headers", () => {
    expect(proxyWarnings(loadWebConfig({ FLEETDECK_ADMIN_TOKEN: TOKEN }))).toEqual([]);
    const warnings = proxyWarnings(
      loadWebConfig({
        FLEETDECK_AUTH_PROXY_HEADER: "X-Forwarded-User",
        FLEETDECK_AUTH_PROXY_GROUPS_HEADER: "X-Forwarded-Groups",
        FLEETDECK_AUTH_PROXY_SECRET: PROXY_SECRET,
      }),
    );
    expect(warnings).toEqual([
      expect.stringContaining(
        "the dashboard believes x-forwarded-user and x-forwarded-groups from any request carrying the proxy's secret; " +
          "the proxy must delete the client's own headers of those names and set them itself on every route",
      ),
    ]);
    expect(warnings[0]).toContain("or anyone may claim any user and any group");
  });

  it("says so when the dashboard with a trusted proxy listens beyond loopback", () => {
    const warnings = proxyWarnings(
      loadWebConfig({
        FLEETDECK_WEB_HOST: "0.0.0.0",
        FLEETDECK_AUTH_PROXY_HEADER: "X-Forwarded-User",
        FLEETDECK_AUTH_PROXY_SECRET: PROXY_SECRET,
      }),
    );
    expect(warnings[1]).toBe(
      "trusted proxy: the dashboard listens on 0.0.0.0, not on loopback: only the proxy should reach it " +
        "(config/deploy runs it on 127.0.0.1 beside the proxy, behind a NetworkPolicy)",
    );
  });
});
