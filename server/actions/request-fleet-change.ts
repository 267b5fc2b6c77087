"use server";

import { requestFleetChange as request, type RequestResult } from "@/lib/db/fleet-experiments";
import { commandAccess } from "@/lib/access";
import type { Database } from "@/lib/db/open";
import { fleetPlanColumn, type FleetRequest } from "@/lib/fleet-experiments";
import { actionActor } from "./action-actor";
import { getDb } from "../db";
import { permissions } from "../queries/access";
import { scopeFor } from "../scope/request";
import type { ReadScope } from "../scope/read-scope";

const REQUESTS: readonly FleetRequest[] = ["approve", "advance", "pause", "resume", "abort"];

/**
 * A person's request on a fleet experiment, recorded with its audit row: approve the wave that
 * waits, advance (cut the current wave's bake short), pause, resume, or abort (halt it and put
 * back every cluster it touched). Refused with why in a phase that does not allow it.
 */
export async function requestFleetChange(
  name: string,
  kind: FleetRequest,
  reason?: string | null,
): Promise<RequestResult> {
  const signedIn = await actionActor();
  if (!signedIn.ok) return signedIn;
  const { actor } = signedIn;
  if (typeof name !== "string" || name === "") return { ok: false, error: "no fleet experiment named" };
  if (!REQUESTS.includes(kind)) return { ok: false, error: `unknown request "${String(kind)}"` };
  const db = await getDb();
  const scope = await scopeFor(actor);
  // A fleet experiment none of whose DatadogAgents the person sees is none of theirs.
  if (!(await scope.db.fleetExperiment.findUnique({ where: { name }, select: { id: true } })))
    return { ok: false, error: `no fleet experiment named ${name}` };
  if (kind === "approve") {
    // Approving a wave changes its clusters' agents: the approver must be allowed to, there.
    const refusal = await approvalRefusal(db, name, scope);
    if (refusal) return { ok: false, error: refusal };
  }
  return request(db, name, kind, actor.name, typeof reason === "string" ? reason : null);
}

/** Why the actor may not approve the wave that waits (a stored answer says no), or null. */
async function approvalRefusal(db: Database, name: string, scope: ReadScope): Promise<string | null> {
  const fx = await db.fleetExperiment.findUnique({ where: { name }, select: { plan: true, wave: true } });
  if (!fx) return null;
  const wave = fleetPlanColumn.decode(fx.plan).waves[fx.wave];
  const questions = (wave?.clusters ?? []).flatMap((c) =>
    c.agents.map((a) => ({ clusterId: c.clusterId, ...commandAccess("start-experiment", a.key, {})! })),
  );
  const answers = await permissions(scope, questions);
  const denied = answers.find((a) => a.state === "denied");
  return denied ? `you may not approve wave ${fx.wave + 1}: ${denied.reason}` : null;
}
