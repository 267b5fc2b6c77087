"use server";

import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { secretsEqual, SESSION_COOKIE } from "@/server/actor";
import { endSession, openSession, SESSION_TTL_MS } from "@/server/sessions";
import { LoginThrottle } from "@/server/login-throttle";
import { safeNextPath } from "@/server/safe-redirect";
import { sessionCookieSecure } from "@/server/session-cookie";
import { signInClient } from "@/server/sign-in-client";
import { recordWebAudit } from "../audit";
import { webConfig } from "../config";
import { getDb } from "../db";

export interface LoginState {
  error?: string;
}

// Per person or client address (server/sign-in-client.ts), with backoff; one per server process
// (kept across dev reloads).
const globalForThrottle = globalThis as unknown as { fleetdeckLoginThrottle?: LoginThrottle };
const throttle = (globalForThrottle.fleetdeckLoginThrottle ??= new LoginThrottle());

export async function login(_prev: LoginState, form: FormData): Promise<LoginState> {
  const config = webConfig();
  if (!config.FLEETDECK_ADMIN_TOKEN) {
    return {
      error: "Sign-in with a token is not enabled on this dashboard (FLEETDECK_ADMIN_TOKEN is not set).",
    };
  }
  const h = await headers();
  const header = (name: string) => h.get(name);
  const { key, address: client } = signInClient(config, header);
  const wait = throttle.retryAfterMs(key);
  if (wait > 0) {
    const who = key.startsWith("user:") ? "by you" : `from your address (${client})`;
    return { error: `Too many failed sign-ins ${who}; try again in ${Math.ceil(wait / 1000)} s.` };
  }

  const token = form.get("token");
  if (typeof token !== "string" || !secretsEqual(token, config.FLEETDECK_ADMIN_TOKEN)) {
    throttle.failed(key);
    await recordWebAudit({
      actor: "anonymous",
      action: "auth.login-failed",
      targetKind: "Dashboard",
      target: "",
      details: { client },
    });
    return { error: "That token is not valid." };
  }
  throttle.succeeded(key);
  const session = await openSession(await getDb(), {
    actor: "admin",
    adminToken: config.FLEETDECK_ADMIN_TOKEN,
  });
  (await cookies()).set(SESSION_COOKIE, session.value, {
    httpOnly: true,
    sameSite: "strict",
    secure: sessionCookieSecure(h.get("host")),
    path: "/",
    maxAge: SESSION_TTL_MS / 1000,
  });
  // The admin token is the break-glass (full power, no RBAC review): its every use is on record.
  await recordWebAudit({
    actor: "admin",
    action: "auth.break-glass",
    targetKind: "Dashboard",
    target: "",
    details: { client },
  });
  redirect(safeNextPath(form.get("next")));
}

/** Ends the session on the server (every request and live stream with its cookie is refused). */
export async function logout(): Promise<void> {
  const jar = await cookies();
  const value = jar.get(SESSION_COOKIE)?.value;
  if (value) {
    const actor = await endSession(await getDb(), value);
    if (actor) await recordWebAudit({ actor, action: "auth.logout", targetKind: "Dashboard", target: "" });
  }
  jar.delete(SESSION_COOKIE);
  redirect("/login");
}
