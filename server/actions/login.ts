"use server";

import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { secretsEqual, SESSION_COOKIE, SESSION_TTL_MS, signSession } from "@/lib/auth";
import { recordWebAudit } from "../audit";
import { webConfig } from "../config";

export interface LoginState {
  error?: string;
}

// A token guessed at this rate would take longer than the token's lifetime; anything faster is refused.
const failures: number[] = [];
const MAX_FAILURES_PER_MINUTE = 10;

/** Only same-site paths: the login form must not become an open redirect. */
function safeNext(next: FormDataEntryValue | null): string {
  return typeof next === "string" && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\")
    ? next
    : "/";
}

export async function login(_prev: LoginState, form: FormData): Promise<LoginState> {
  const config = webConfig();
  if (!config.FLEETDECK_ADMIN_TOKEN) {
    return {
      error: "Sign-in with a token is not enabled on this dashboard (FLEETDECK_ADMIN_TOKEN is not set).",
    };
  }
  const now = Date.now();
  while (failures.length > 0 && failures[0]! < now - 60_000) failures.shift();
  if (failures.length >= MAX_FAILURES_PER_MINUTE)
    return { error: "Too many failed attempts; wait a minute and try again." };

  const token = form.get("token");
  if (typeof token !== "string" || !secretsEqual(token, config.FLEETDECK_ADMIN_TOKEN)) {
    failures.push(now);
    await recordWebAudit({
      actor: "anonymous",
      action: "auth.login-failed",
      targetKind: "Dashboard",
      target: "",
    });
    return { error: "That token is not valid." };
  }
  const forwardedProto = (await headers()).get("x-forwarded-proto");
  (await cookies()).set(SESSION_COOKIE, signSession(config.FLEETDECK_ADMIN_TOKEN, "admin", now), {
    httpOnly: true,
    sameSite: "strict",
    secure: forwardedProto === "https",
    path: "/",
    maxAge: SESSION_TTL_MS / 1000,
  });
  await recordWebAudit({ actor: "admin", action: "auth.login", targetKind: "Dashboard", target: "" });
  redirect(safeNext(form.get("next")));
}

export async function logout(): Promise<void> {
  (await cookies()).delete(SESSION_COOKIE);
  redirect("/login");
}
