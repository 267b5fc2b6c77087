// Before a command is applied (FLEETDECK_AUTHZ=kubernetes): may its actor do, in Kubernetes,
// what the command would make the controller do? The API server answers for the actor's user
// and groups (SubjectAccessReview), so a person may do in fleetdeck exactly what Kubernetes
// lets that person do (Headlamp's and the Kubernetes dashboard's model). Loopback without a
// login and the admin token keep the controller's full power (docs/security.md).
import {
  commandAccess,
  decodeSubject,
  denialMessage,
  describeSubject,
  hasFullPower,
  type Subject,
} from "../../lib/access";
import type { CommandKind } from "../../lib/commands";
import { canSubject } from "../kube/access-review";
import type { KubeClient } from "../kube/client";

export interface CommandIdentity {
  kind: CommandKind;
  target: string;
  payload: unknown;
  actor: string;
  /** How the dashboard authenticated the actor (lib/access.ts AuthMethod). */
  actorAuth: string;
  /** The recorded Kubernetes identity (lib/access.ts encodeSubject), or null. */
  identity: string | null;
}

export type Decision = { allowed: true; why: string } | { allowed: false; reason: string; subject?: Subject };

export type Authorize = (command: CommandIdentity) => Promise<Decision>;

/** FLEETDECK_AUTHZ=none: everyone signed in may do what the controller may. */
export const allowEveryone: Authorize = async () => ({ allowed: true, why: "authorization is off" });

/** FLEETDECK_AUTHZ=kubernetes. */
export function kubernetesAuthorizer(client: KubeClient): Authorize {
  return async (command) => {
    const access = commandAccess(command.kind, command.target, command.payload);
    if (!access) return { allowed: true, why: `${command.kind} changes nothing in the cluster` };
    if (hasFullPower(command.actorAuth)) {
      return { allowed: true, why: `${command.actorAuth} has the controller's full power` };
    }
    const subject = decodeSubject(command.identity);
    if (!subject) {
      return {
        allowed: false,
        reason: `no Kubernetes identity was recorded for ${command.actor} (${command.actorAuth}), so authorization cannot allow this command`,
      };
    }
    const answer = await canSubject(client, subject, { resource: access });
    if (answer.allowed) return { allowed: true, why: `${describeSubject(subject)} may ${access.verb}` };
    return { allowed: false, reason: denialMessage(subject, access), subject };
  };
}
