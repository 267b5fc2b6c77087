// The status controller's keys: an autoscaler, or a cluster profile (which counts the
// autoscalers labelled with its name, so an autoscaler's change queues its profile too). In the
// queue they are "dpa:<namespace>/<name>" and "profile:<name>".
import { PROFILE_LABEL } from "../../../lib/autoscaling";
import type { KeyCodec } from "../../kube/controller";
import type { AutoscalerObject, ProfileObject } from "./controller";

export type StatusKey =
  { kind: "autoscaler"; namespace: string; name: string } | { kind: "profile"; name: string };

export const statusKeys: KeyCodec<StatusKey> = {
  encode: (key) => (key.kind === "profile" ? `profile:${key.name}` : `dpa:${key.namespace}/${key.name}`),
  decode: (text) => {
    if (text.startsWith("profile:")) {
      const name = text.slice("profile:".length);
      return name && !name.includes("/") ? { kind: "profile", name } : undefined;
    }
    if (!text.startsWith("dpa:")) return undefined;
    const [namespace, name, ...rest] = text.slice("dpa:".length).split("/");
    return namespace && name && rest.length === 0 ? { kind: "autoscaler", namespace, name } : undefined;
  },
};

/** An autoscaler's own key and the key of the profile that counts it (if any). */
export function autoscalerKeys(dpa: AutoscalerObject): StatusKey[] {
  const own: StatusKey = {
    kind: "autoscaler",
    namespace: dpa.metadata.namespace ?? "",
    name: dpa.metadata.name,
  };
  const profile = dpa.metadata.labels?.[PROFILE_LABEL];
  return profile ? [own, { kind: "profile", name: profile }] : [own];
}

export function profileKeys(profile: ProfileObject): StatusKey[] {
  return [{ kind: "profile", name: profile.metadata.name }];
}
