import "server-only";
import { secretsEqual } from "@/lib/auth";
import { currentActor } from "./auth";
import { webConfig } from "./config";

/**
 * For read routes machines also use: a signed-in (or local) actor, or the API bearer token.
 * Returns the caller's name, or null when neither is present.
 */
export async function actorOrApiToken(request: Request): Promise<string | null> {
  const actor = await currentActor();
  if (actor) return actor.name;
  const { FLEETDECK_API_TOKEN, FLEETDECK_SIGNAL_ACTOR } = webConfig();
  const auth = request.headers.get("authorization") ?? "";
  if (
    FLEETDECK_API_TOKEN &&
    auth.startsWith("Bearer ") &&
    secretsEqual(auth.slice(7).trim(), FLEETDECK_API_TOKEN)
  ) {
    return FLEETDECK_SIGNAL_ACTOR;
  }
  return null;
}
