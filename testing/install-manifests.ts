// Applies YAML manifests (files or directories, multi-document) with server-side apply, the
// way `kubectl apply --server-side` does, and waits for CRDs to be Established so objects of
// their kinds can be applied right after.
import fs from "node:fs";
import path from "node:path";
import {
  ApiextensionsV1Api,
  KubernetesObjectApi,
  PatchStrategy,
  loadYaml,
  type KubeConfig,
  type KubernetesObject,
} from "@kubernetes/client-node";
import { parseAllDocuments } from "yaml";

export const INSTALL_FIELD_MANAGER = "fleetdeck-install";

export function readManifests(paths: string[]): KubernetesObject[] {
  const files = paths.flatMap((p) =>
    fs.statSync(p).isDirectory()
      ? fs
          .readdirSync(p)
          .filter((f) => /\.ya?ml$/.test(f))
          .sort()
          .map((f) => path.join(p, f))
      : [p],
  );
  return files.flatMap((file) =>
    parseAllDocuments(fs.readFileSync(file, "utf8")).flatMap((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`);
      const raw = doc.toJS() as KubernetesObject | null;
      // Deserialize into client-node's typed models: its serializer only knows their property
      // names (xKubernetesPreserveUnknownFields), and would silently drop the YAML spelling.
      return raw && raw.kind ? [loadYaml<KubernetesObject>(doc.toString())] : [];
    }),
  );
}

/** Applies every object; namespaces and CRDs first so the rest can land in the same call. */
export async function installManifests(kc: KubeConfig, paths: string[]): Promise<KubernetesObject[]> {
  const objects = readManifests(paths);
  const rank = (o: KubernetesObject) =>
    o.kind === "Namespace" ? 0 : o.kind === "CustomResourceDefinition" ? 1 : 2;
  const ordered = [...objects].sort((a, b) => rank(a) - rank(b));
  const crds = ordered.filter((o) => o.kind === "CustomResourceDefinition");

  const api = KubernetesObjectApi.makeApiClient(kc);
  for (const obj of ordered.filter((o) => rank(o) < 2)) await apply(api, obj);
  await waitForCrdsEstablished(
    kc,
    crds.map((c) => c.metadata?.name ?? ""),
  );
  // A fresh client: the first one may have cached discovery from before the CRDs existed.
  const fresh = KubernetesObjectApi.makeApiClient(kc);
  const applied: KubernetesObject[] = [];
  for (const obj of ordered.filter((o) => rank(o) === 2)) applied.push(await apply(fresh, obj));
  return applied;
}

async function apply(api: KubernetesObjectApi, obj: KubernetesObject): Promise<KubernetesObject> {
  try {
    return await api.patch(
      obj,
      undefined,
      undefined,
      INSTALL_FIELD_MANAGER,
      true,
      PatchStrategy.ServerSideApply,
    );
  } catch (error) {
    const body = (error as { body?: unknown }).body;
    const detail = typeof body === "string" ? body : JSON.stringify(body ?? (error as Error).message);
    throw new Error(`apply ${obj.kind} ${obj.metadata?.namespace ?? ""}/${obj.metadata?.name}: ${detail}`);
  }
}

export async function waitForCrdsEstablished(
  kc: KubeConfig,
  names: string[],
  timeoutMs = 30_000,
): Promise<void> {
  const api = kc.makeApiClient(ApiextensionsV1Api);
  const deadline = Date.now() + timeoutMs;
  for (const name of names) {
    for (;;) {
      const crd = await api.readCustomResourceDefinition({ name });
      if (crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")) break;
      if (Date.now() > deadline) throw new Error(`CRD ${name} not Established after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
