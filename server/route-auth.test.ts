// Every route handler checks the actor itself, not only the request gate (proxy.ts) in front
// of it: each route.ts under app/api is imported and each handler it exports is called, as if
// the gate were gone, with no session, no proxy identity and no API token. Each must answer
// 401 before touching anything (the database path below does not exist).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("server-only", () => ({}));
vi.mock("next/headers", () => ({
  headers: async () => new Headers(),
  cookies: async () => ({ get: () => undefined }),
}));

const APP_API = path.resolve(import.meta.dirname, "../app/api");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

function routeFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    return entry.name === "route.ts" ? [full] : [];
  });
}

beforeAll(() => {
  // A dashboard with a login (so there is no local mode), read once by server/config.ts.
  // Stubbed: the unit tests share their worker (vitest.config.ts), and these go afterwards.
  vi.stubEnv("FLEETDECK_ADMIN_TOKEN", "route-auth-admin-token-0123456789");
  vi.stubEnv("FLEETDECK_API_TOKEN", "route-auth-api-token-0123456789");
  vi.stubEnv("DATABASE_URL", `file:${path.join(os.tmpdir(), "fleetdeck-route-auth-none", "never.db")}`);
});
afterAll(() => vi.unstubAllEnvs());

describe("route handlers", () => {
  const files = routeFiles(APP_API);

  it("are all found", () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
  });

  it.each(files.map((f) => [path.relative(APP_API, f)]))("%s answers 401 without an actor", async (file) => {
    const mod = (await import(path.join(APP_API, file))) as Record<string, unknown>;
    const handlers = METHODS.filter((m) => typeof mod[m] === "function");
    expect(handlers.length, file).toBeGreaterThan(0);
    // Dynamic segments ([namespace], [id]...) get a plausible value.
    const params = Object.fromEntries(
      [...file.matchAll(/\[([^\]]+)\]/g)].map(([, name]) => [name, name === "id" ? "1" : "x"]),
    );
    for (const method of handlers) {
      const handler = mod[method] as (request: Request, context: unknown) => Promise<Response>;
      const request = new Request(`http://127.0.0.1:3000/api/${path.dirname(file)}`, {
        method,
        ...(method === "GET" ? {} : { body: "{}", headers: { "content-type": "application/json" } }),
      });
      const response = await handler(request, { params: Promise.resolve(params) });
      expect(response.status, `${method} ${file}`).toBe(401);
    }
    expect(
      fs.existsSync(path.join(os.tmpdir(), "fleetdeck-route-auth-none")),
      "the database was opened",
    ).toBe(false);
  });
});
