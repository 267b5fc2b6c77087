// Every page checks its actor itself, as route handlers do (server/route-auth.test.ts), not
// only the request gate (proxy.ts) in front of it: each page.tsx under app/ is imported and
// rendered as if the gate were gone, with no session, no proxy identity and a login configured.
// Each must send the browser to the sign-in page before reading anything (the database path
// below does not exist). The sign-in page itself reads nothing.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("server-only", () => ({}));
vi.mock("next/headers", () => ({
  headers: async () => new Headers(),
  cookies: async () => ({ get: () => undefined }),
}));

const APP = path.resolve(import.meta.dirname);
/** Pages anyone may see: the sign-in page. */
const PUBLIC = ["login/page.tsx"];
const NONE = path.join(os.tmpdir(), "fleetdeck-page-auth-none");

function pageFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return pageFiles(full);
    return entry.name === "page.tsx" ? [path.relative(APP, full)] : [];
  });
}

beforeAll(() => {
  // A dashboard with a login (so there is no local mode), read once by server/config.ts.
  process.env.FLEETDECK_ADMIN_TOKEN = "page-auth-admin-token-0123456789";
  process.env.DATABASE_URL = `file:${path.join(NONE, "never.db")}`;
  // What an earlier run left (one against code that opened it) must not count against this one.
  fs.rmSync(NONE, { recursive: true, force: true });
});

describe("pages", () => {
  const files = pageFiles(APP).filter((f) => !PUBLIC.includes(f));

  it("are all found", () => {
    expect(files.length).toBeGreaterThanOrEqual(7);
  });

  it.each(files.map((f) => [f]))(
    "%s sends a request without an actor to the sign-in page",
    { timeout: 60_000 },
    async (file) => {
      const mod = (await import(path.join(APP, file))) as { default: (props: unknown) => Promise<unknown> };
      // Catch-all segments ([...path]) get a path that names an agent.
      const params = Object.fromEntries(
        [...file.matchAll(/\[(\.\.\.)?([^\]]+)\]/g)].map(([, rest, name]) => [
          name,
          rest ? ["c", "ns", "x"] : "x",
        ]),
      );
      const render = mod.default({
        params: Promise.resolve(params),
        searchParams: Promise.resolve({ cluster: "c", cursor: "5" }),
      });
      // next/navigation's redirect() throws what Next turns into a 307 to its URL.
      await expect(render).rejects.toMatchObject({
        digest: expect.stringMatching(/^NEXT_REDIRECT;replace;\/login;307;/),
      });
      expect(fs.existsSync(NONE), "the database was opened").toBe(false);
    },
  );
});
