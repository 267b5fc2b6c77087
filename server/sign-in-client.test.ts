import { beforeAll, describe, expect, it } from "vitest";
import { PROXY_SECRET_HEADER } from "./actor";
import { signInClient } from "./sign-in-client";
import { loadWebConfig } from "./web-config";
import { CLIENT_ADDRESS_HEADER, recordListener } from "./web-listener";

const SECRET = "sign-in-client-proxy-secret-0123";
const TOKEN = "sign-in-client-admin-token-01234";

/** A request's headers as the dashboard's server hands them on: the socket peer stamped. */
const request =
  (peer: string, headers: Record<string, string> = {}) =>
  (name: string) =>
    ({ ...headers, [CLIENT_ADDRESS_HEADER]: peer })[name.toLowerCase()] ?? null;

beforeAll(() => {
  recordListener("127.0.0.1", 3000);
});

describe("signInClient", () => {
  it("is the socket's peer without a proxy; an X-Forwarded-For it sends is its own word, ignored", () => {
    const config = loadWebConfig({ FLEETDECK_ADMIN_TOKEN: TOKEN });
    expect(signInClient(config, request("198.51.100.7", { "x-forwarded-for": "203.0.113.1" }))).toEqual({
      key: "198.51.100.7",
      address: "198.51.100.7",
    });
  });

  it("through the OIDC proxy, is the person signed in: two people behind one proxy never share a throttle", () => {
    const config = loadWebConfig({
      FLEETDECK_ADMIN_TOKEN: TOKEN,
      FLEETDECK_AUTH_PROXY_HEADER: "X-Forwarded-User",
      FLEETDECK_AUTH_PROXY_SECRET: SECRET,
    });
    const through = (user: string) =>
      request("127.0.0.1", {
        [PROXY_SECRET_HEADER]: SECRET,
        "x-forwarded-user": user,
        "x-forwarded-for": "10.1.2.3, 10.0.0.9",
      });
    expect(signInClient(config, through("alice@example.com"))).toEqual({
      key: "user:alice@example.com",
      address: "10.0.0.9",
    });
    expect(signInClient(config, through("bob@example.com")).key).toBe("user:bob@example.com");
    // Without the proxy's secret, the same headers are a client's word: its peer it is.
    const forged = request("127.0.0.1", {
      "x-forwarded-user": "bob@example.com",
      "x-forwarded-for": "10.1.2.3",
    });
    expect(signInClient(config, forged)).toEqual({ key: "127.0.0.1", address: "127.0.0.1" });
  });

  it("behind a trusted proxy (an Ingress), is the right-most X-Forwarded-For hop that is not a trusted proxy", () => {
    const config = loadWebConfig({
      FLEETDECK_ADMIN_TOKEN: TOKEN,
      FLEETDECK_TRUSTED_PROXIES: "10.0.0.0/24, 192.0.2.10",
    });
    // The client claims 1.2.3.4; the Ingress appends who it really is; a second proxy hop is skipped.
    const hops = { "x-forwarded-for": "1.2.3.4, 203.0.113.9, 192.0.2.10" };
    expect(signInClient(config, request("10.0.0.5", hops))).toEqual({
      key: "203.0.113.9",
      address: "203.0.113.9",
    });
    // Another client through the same Ingress has its own throttle.
    expect(signInClient(config, request("::ffff:10.0.0.5", { "x-forwarded-for": "198.51.100.20" })).key).toBe(
      "198.51.100.20",
    );
    // Only from a trusted proxy: anyone else's X-Forwarded-For is ignored.
    expect(signInClient(config, request("10.0.1.5", hops)).key).toBe("10.0.1.5");
    // From the proxy with nothing forwarded: the proxy itself.
    expect(signInClient(config, request("10.0.0.5")).key).toBe("10.0.0.5");
  });
});
