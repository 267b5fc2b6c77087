import { describe, expect, it } from "vitest";
import { allowedHost, resolveActor, signSession, verifySession, PROXY_SECRET_HEADER } from "./auth";
import { authMode, loadWebConfig } from "./web-config";

const TOKEN = "0123456789abcdef0123";
const headers = (h: Record<string, string>) => (name: string) => h[name.toLowerCase()] ?? null;

describe("sessions", () => {
  it("verifies its own signature and refuses tampering, another token, and expiry", () => {
    const cookie = signSession(TOKEN, "admin", 1_000);
    expect(verifySession(TOKEN, cookie, 2_000)).toBe("admin");
    expect(verifySession("another-token-0123456789", cookie, 2_000)).toBeNull();
    const [payload, mac] = cookie.split(".");
    const forged = Buffer.from(JSON.stringify({ sub: "root", exp: 9e15 })).toString("base64url");
    expect(verifySession(TOKEN, `${forged}.${mac}`, 2_000)).toBeNull();
    expect(verifySession(TOKEN, `${payload}.${mac}x`, 2_000)).toBeNull();
    expect(verifySession(TOKEN, cookie, 1_000 + 13 * 3600 * 1000)).toBeNull();
    expect(verifySession(TOKEN, "garbage", 2_000)).toBeNull();
  });
});

describe("resolveActor", () => {
  it("trusts everyone on loopback without a login", () => {
    const config = loadWebConfig({});
    expect(authMode(config)).toBe("local");
    expect(resolveActor(config, { header: headers({}) })).toEqual({ name: "local", via: "local" });
  });

  it("requires a session when an admin token is configured", () => {
    const config = loadWebConfig({ FLEETDECK_ADMIN_TOKEN: TOKEN });
    expect(resolveActor(config, { header: headers({}) })).toBeNull();
    expect(resolveActor(config, { header: headers({}), sessionCookie: signSession(TOKEN, "admin") })).toEqual(
      { name: "admin", via: "session" },
    );
  });

  it("trusts the proxy's identity header only with the proxy secret", () => {
    const config = loadWebConfig({
      FLEETDECK_WEB_HOST: "0.0.0.0",
      FLEETDECK_AUTH_PROXY_HEADER: "X-Forwarded-User",
      FLEETDECK_AUTH_PROXY_SECRET: "proxy-secret-0123456789",
    });
    expect(resolveActor(config, { header: headers({ "x-forwarded-user": "alice" }) })).toBeNull();
    expect(
      resolveActor(config, {
        header: headers({ "x-forwarded-user": "alice", [PROXY_SECRET_HEADER]: "wrong" }),
      }),
    ).toBeNull();
    expect(
      resolveActor(config, {
        header: headers({ "x-forwarded-user": "alice", [PROXY_SECRET_HEADER]: "proxy-secret-0123456789" }),
      }),
    ).toEqual({
      name: "alice",
      via: "proxy",
    });
  });
});

describe("authMode", () => {
  it("refuses to serve beyond loopback without authentication", () => {
    expect(() => authMode(loadWebConfig({ FLEETDECK_WEB_HOST: "0.0.0.0" }))).toThrow(
      /refusing to serve the dashboard on 0.0.0.0 without authentication/,
    );
    expect(authMode(loadWebConfig({ FLEETDECK_WEB_HOST: "0.0.0.0", FLEETDECK_ADMIN_TOKEN: TOKEN }))).toBe(
      "login",
    );
  });

  it("rejects a short token and a proxy header without its secret", () => {
    expect(() => loadWebConfig({ FLEETDECK_ADMIN_TOKEN: "short" })).toThrow(
      /FLEETDECK_ADMIN_TOKEN must be at least 16 characters/,
    );
    expect(() => loadWebConfig({ FLEETDECK_AUTH_PROXY_HEADER: "X-User" })).toThrow(/go together/);
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
