"use server";

import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { proxyIdentity, secretsEqual, SESSION_COOKIE } from "@/server/actor";
import { endSession, openSession, SESSION_TTL_MS } from "@/server/sessions";
import { LoginThrottle } from "@/server/login-throttle";
import { safeNextPath } from "@/server/safe-redirect";
import { clientAddress } from "@/server/web-listener";
import { recordWebAudit } from "../audit";
import { webConfig } from "../config";
import { getDb } from "../db";

export interface LoginState {
  error?: string;
}

// Per client address, with backoff; one per server process (kept across dev reloads).
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
  const client = clientAddress(header, proxyIdentity(config, header) !== null);
  const wait = throttle.retryAfterMs(client);
  if (wait > 0) {
    return {
      error: `Too many failed sign-ins from your address (${client}); try again in ${Math.ceil(wait / 1000)} s.`,
    };
  }

  const token = form.get("token");
  if (typeof token !== "string" || !secretsEqual(token, config.FLEETDECK_ADMIN_TOKEN)) {
    throttle.failed(client);
    await recordWebAudit({
      actor: "anonymous",
      action: "auth.login-failed",
      targetKind: "Dashboard",
      target: "",
      details: { client },
    });
    return { error: "That token is not valid." };
  }
  throttle.succeeded(client);
  const session = await openSession(await getDb(), {
    actor: "admin",
    adminToken: config.FLEETDECK_ADMIN_TOKEN,
  });
  (await cookies()).set(SESSION_COOKIE, session.value, {
    httpOnly: true,
    sameSite: "strict",
    secure: h.get("x-forwarded-proto") === "https",
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
