// Sessions on the run's store: a row of the Session table, as anyone who can read the table
// sees it, opens no other session; a new admin token ends every session of the old one.
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../testing/database";
import type { Database } from "@/lib/db/open";
import { findSession, openSession } from "./sessions";

const TOKEN = "admin-token-of-the-test-0123456789";
const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");

describe("dashboard sessions", () => {
  let db: Database;
  beforeAll(async () => {
    ({ db } = await createTestDatabase("sessions"));
  });
  afterAll(() => db?.$disconnect());

  it("a stored row forges no other session: its tokenKey is bound to its own id", async () => {
    const first = await openSession(db, { actor: "admin", adminToken: TOKEN });
    const second = await openSession(db, { actor: "admin", adminToken: TOKEN });
    const rows = await db.session.findMany();
    expect(rows).toHaveLength(2);
    expect(rows[0]!.tokenKey).not.toBe(rows[1]!.tokenKey);
    expect(rows.map((r) => r.tokenKey).join()).not.toContain(TOKEN);

    // Who can write the table copies a row's key onto a cookie value of their own.
    const forged = randomBytes(32).toString("base64url");
    await db.session.create({
      data: {
        id: sha256(forged),
        actor: "intruder",
        tokenKey: rows[0]!.tokenKey,
        expiresAt: new Date(Date.now() + 3_600_000),
      },
    });
    expect(await findSession(db, forged, TOKEN)).toBeNull();
    expect(await findSession(db, first.value, TOKEN)).toMatchObject({ actor: "admin" });
    expect(await findSession(db, second.value, TOKEN)).toMatchObject({ actor: "admin" });
  });

  it("a new admin token ends the sessions of the old one, and the next sign-in removes their rows", async () => {
    const old = await openSession(db, { actor: "admin", adminToken: TOKEN });
    expect(await findSession(db, old.value, "another-admin-token-0123456789")).toBeNull();
    const fresh = await openSession(db, { actor: "admin", adminToken: "another-admin-token-0123456789" });
    expect(await findSession(db, fresh.value, "another-admin-token-0123456789")).toMatchObject({
      actor: "admin",
    });
    expect(await db.session.count()).toBe(1);
  });
});
