import { describe, expect, it } from "vitest";
import { plainHttpProblem, sessionCookieSecure } from "./session-cookie";

describe("sessionCookieSecure", () => {
  it("is Secure whatever X-Forwarded-Proto says, unless the browser is on a loopback address", () => {
    for (const host of [
      "dashboard.example.com",
      "dashboard.example.com:443",
      "10.0.0.5:3000",
      "[2001:db8::1]:3000",
      null,
    ])
      expect(sessionCookieSecure(host), String(host)).toBe(true);
    for (const host of ["localhost:3000", "LOCALHOST", "127.0.0.1:3000", "127.0.0.2", "[::1]:3000"])
      expect(sessionCookieSecure(host), host).toBe(false);
  });
});

describe("plainHttpProblem", () => {
  it("warns on a page that came over plain HTTP to a name that is not loopback, only there", () => {
    expect(plainHttpProblem("dashboard.example.com", null)).toMatch(/^This page came over plain HTTP/);
    expect(plainHttpProblem("dashboard.example.com", "http")).not.toBeNull();
    expect(plainHttpProblem("dashboard.example.com", "https")).toBeNull();
    expect(plainHttpProblem("dashboard.example.com", "https, http")).toBeNull();
    expect(plainHttpProblem("localhost:3000", null)).toBeNull();
  });
});
