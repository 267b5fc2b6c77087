"use server";

import { startFleetExperiment as start } from "@/lib/db/fleet-experiments";
import { parseFleetSpec } from "@/lib/fleet-experiments";
import { actionActor } from "./action-actor";
import { getDb } from "../db";
import { permissions } from "../queries/access";
import { scopeFor } from "../scope/request";

export type StartFleetResult = { ok: true; name: string } | { ok: false; error: string };

/**
 * Starts a fleet experiment on the plan the person confirmed (`planKey` from the preview): the
 * plan is made again and must not have changed, or nothing starts. Writes the fleet experiment,
 * its audit row and its "started" notification; the fleet driver runs it from there.
 */
export async function startFleetExperiment(input: unknown, planKey: string): Promise<StartFleetResult> {
  const signedIn = await actionActor();
  if (!signedIn.ok) return signedIn;
  const { actor } = signedIn;
  const parsed = parseFleetSpec(input);
  if (!parsed.ok) return { ok: false, error: parsed.error };
  if (typeof planKey !== "string" || planKey === "") return { ok: false, error: "preview the plan first" };
  const scope = await scopeFor(actor);
  // The plan is made again as the preview made it (server/queries/fleet-experiments.ts
  // planFactsFor): of the clusters the person sees, with their permissions.
  const clusterIds = await scope.clusterAggregate(async (_db, ids) => ids);
  const result = await start(
    await getDb(),
    parsed.spec,
    { actor: actor.name, actorAuth: actor.via, identity: actor.subject },
    { expectedPlanKey: planKey, permissionsOf: (questions) => permissions(scope, questions), clusterIds },
  );
  return result.ok ? { ok: true, name: parsed.spec.name } : { ok: false, error: result.error };
}
