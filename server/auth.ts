import "server-only";
import { cookies, headers } from "next/headers";
import { resolveActor, SESSION_COOKIE, type Actor, type AuthContext } from "@/server/actor";
import { findSession, type LiveSession } from "@/server/sessions";
import { currentListener } from "@/server/web-listener";
import { webConfig } from "./config";
import { getDb } from "./db";

export class UnauthenticatedError extends Error {
  override name = "UnauthenticatedError";
  constructor() {
    super("sign in first: this dashboard requires authentication");
  }
}

/** The live admin-token session a cookie names, or null. */
export async function liveSession(cookie: string | undefined): Promise<LiveSession | null> {
  const token = webConfig().FLEETDECK_ADMIN_TOKEN;
  if (!token || !cookie) return null;
  return findSession(await getDb(), cookie, token);
}

/** What resolveActor needs of this process: its socket and its session store. */
export function authContext(): AuthContext {
  return {
    listener: currentListener(),
    session: async (cookie) => (await liveSession(cookie))?.actor ?? null,
  };
}

/** The actor of the current request (server component, action or route handler), or null. */
export async function currentActor(): Promise<Actor | null> {
  const [h, c] = await Promise.all([headers(), cookies()]);
  return resolveActor(
    webConfig(),
    { header: (name) => h.get(name), sessionCookie: c.get(SESSION_COOKIE)?.value },
    authContext(),
  );
}

/** The current request's admin-token session, or null (another kind of actor, or none). */
export async function currentSession(): Promise<LiveSession | null> {
  return liveSession((await cookies()).get(SESSION_COOKIE)?.value);
}

/** Every server action and route handler starts here: no actor, no access. */
export async function requireActor(): Promise<Actor> {
  const actor = await currentActor();
  if (!actor) throw new UnauthenticatedError();
  return actor;
}

/** A route handler's body, run for a signed-in actor; anyone else gets 401 with the reason. */
export async function withActor(handler: (actor: Actor) => Promise<Response>): Promise<Response> {
  let actor: Actor;
  try {
    actor = await requireActor();
  } catch (error) {
    return Response.json({ error: (error as Error).message }, { status: 401 });
  }
  return handler(actor);
}
