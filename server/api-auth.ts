import "server-only";
import { serviceAccountSubject } from "@/lib/access";
import { secretsEqual, type Actor } from "@/server/actor";
import { webConfig } from "./config";

/**
 * A machine's bearer token (FLEETDECK_API_TOKEN): its actor is FLEETDECK_SIGNAL_ACTOR, and its
 * Kubernetes identity the ServiceAccount FLEETDECK_API_TOKEN_SERVICE_ACCOUNT names. Null when
 * the request carries no valid token.
 */
export function apiTokenActor(request: Request): Actor | null {
  const { FLEETDECK_API_TOKEN, FLEETDECK_SIGNAL_ACTOR, FLEETDECK_API_TOKEN_SERVICE_ACCOUNT } = webConfig();
  const auth = request.headers.get("authorization") ?? "";
  const token = auth.startsWith("Bearer ") ? auth.slice("Bearer ".length).trim() : "";
  if (!FLEETDECK_API_TOKEN || !token || !secretsEqual(token, FLEETDECK_API_TOKEN)) return null;
  const { namespace, name } = FLEETDECK_API_TOKEN_SERVICE_ACCOUNT;
  return { name: FLEETDECK_SIGNAL_ACTOR, via: "api-token", subject: serviceAccountSubject(namespace, name) };
}
