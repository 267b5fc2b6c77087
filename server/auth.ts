import "server-only";
import { cookies, headers } from "next/headers";
import { resolveActor, SESSION_COOKIE, type Actor } from "@/lib/auth";
import { webConfig } from "./config";

export class UnauthenticatedError extends Error {
  override name = "UnauthenticatedError";
  constructor() {
    super("sign in first: this dashboard requires authentication");
  }
}

/** The actor of the current request (server component, action or route handler), or null. */
export async function currentActor(): Promise<Actor | null> {
  const [h, c] = await Promise.all([headers(), cookies()]);
  return resolveActor(webConfig(), {
    header: (name) => h.get(name),
    sessionCookie: c.get(SESSION_COOKIE)?.value,
  });
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
