import "server-only";
import type { Actor } from "@/server/actor";
import { requireActor, UnauthenticatedError } from "../auth";

/**
 * The actor of a server action that answers `{ ok, error }`: a signed-out request gets the
 * refusal as its answer instead of an exception.
 */
export async function actionActor(): Promise<{ ok: true; actor: Actor } | { ok: false; error: string }> {
  try {
    return { ok: true, actor: await requireActor() };
  } catch (error) {
    if (error instanceof UnauthenticatedError) return { ok: false, error: error.message };
    throw error;
  }
}
