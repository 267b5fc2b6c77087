// The current request's read scope, for pages, route handlers and the live stream: the actor
// first (no actor, no data), then what that actor may read (./read-scope.ts).
import "server-only";
import { redirect } from "next/navigation";
import { cache } from "react";
import type { Actor } from "@/server/actor";
import { apiTokenActor } from "@/server/api-auth";
import { currentActor, UnauthenticatedError } from "@/server/auth";
import { getDb } from "@/server/db";
import { readScope, type ReadScope } from "./read-scope";

/** The scope of an actor, for this request. */
export async function scopeFor(actor: Actor): Promise<ReadScope> {
  return readScope(await getDb(), actor);
}

/** The current request's scope, or null without an actor; once per server render. */
export const currentScope = cache(async (): Promise<ReadScope | null> => {
  const actor = await currentActor();
  return actor ? scopeFor(actor) : null;
});

/** Every page starts here: without an actor, the sign-in page (before anything is read). */
export async function pageScope(): Promise<ReadScope> {
  const scope = await currentScope();
  if (!scope) redirect("/login");
  return scope;
}

/** A route handler's body, run with the actor's scope; without an actor, 401 with the reason. */
export async function withScope(handler: (scope: ReadScope) => Promise<Response>): Promise<Response> {
  const actor = await currentActor();
  if (!actor) return Response.json({ error: new UnauthenticatedError().message }, { status: 401 });
  return handler(await scopeFor(actor));
}

/** For read routes machines also use: a signed-in (or local) actor's scope, or the API token's. */
export async function scopeOrApiToken(request: Request): Promise<ReadScope | null> {
  const actor = (await currentActor()) ?? apiTokenActor(request);
  return actor ? scopeFor(actor) : null;
}
