import "server-only";
import type { CommandKind, CommandPayload } from "@/lib/commands";
import { requireActor, UnauthenticatedError } from "../auth";
import { insertCommand, type InsertResult } from "../commands";

export type CommandActionResult = InsertResult;

/**
 * The action client every command-writing server action goes through (dub's pattern):
 * authenticate, validate with the command's zod schema, then write the Command and its audit
 * row together. The payload is typed by the kind; the schema still checks it at run time,
 * since an action's arguments come from the browser. `clusterId` is the cluster of the agent
 * or workload acted on: only that cluster's leader applies it. Returns the command id; the UI
 * follows its outcome over the live stream.
 */
export async function requestCommand<K extends CommandKind>(
  clusterId: string,
  kind: K,
  target: string,
  payload: CommandPayload<K>,
  reason?: string | null,
): Promise<CommandActionResult> {
  let actor;
  try {
    actor = await requireActor();
  } catch (error) {
    if (error instanceof UnauthenticatedError) return { ok: false, error: error.message };
    throw error;
  }
  if (typeof clusterId !== "string" || clusterId === "") return { ok: false, error: "no cluster named" };
  return insertCommand({
    clusterId,
    kind,
    target,
    payload,
    actor: actor.name,
    actorAuth: actor.via,
    identity: actor.subject,
    reason,
    source: "dashboard",
  });
}
