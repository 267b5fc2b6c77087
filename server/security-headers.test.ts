import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, newNonce, STATIC_SECURITY_HEADERS } from "./security-headers";

describe("security headers", () => {
  it("forbid framing twice over (X-Frame-Options and frame-ancestors), sniffing and referrers", () => {
    expect(STATIC_SECURITY_HEADERS["X-Frame-Options"]).toBe("DENY");
    expect(STATIC_SECURITY_HEADERS["X-Content-Type-Options"]).toBe("nosniff");
    expect(STATIC_SECURITY_HEADERS["Referrer-Policy"]).toBe("no-referrer");
    expect(contentSecurityPolicy("abc")).toContain("frame-ancestors 'none'");
  });

  it("allow scripts only with the page's nonce, and eval only in development", () => {
    const csp = contentSecurityPolicy("n0nce");
    expect(csp).toContain("script-src 'self' 'nonce-n0nce' 'strict-dynamic'");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("connect-src 'self';");
    expect(contentSecurityPolicy("n0nce", true)).toContain("'unsafe-eval'");
  });

  it("make a new nonce every time", () => {
    const nonces = new Set(Array.from({ length: 100 }, newNonce));
    expect(nonces.size).toBe(100);
    for (const n of nonces) expect(n).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  });
});
