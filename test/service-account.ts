// The integration suite's ServiceAccount mode (FLEETDECK_TEST_AS_SA=1, `npm run test:int:sa`):
// the controller code under test talks to the API server as config/deploy's ServiceAccount,
// with exactly the RBAC of config/deploy/rbac, instead of as the admin. Tests keep the admin
// kubeconfig for what a user or the cluster would do (creating objects, reading Events).
// With FLEETDECK_TEST_HELM_NAMESPACED=1 too (`npm run test:int:sa:helm-namespaces`) the RBAC is
// config/deploy-helm-namespaces' instead: no cluster-wide read of Secrets, the Helm Role in each
// test namespace, and the Helm forwarder limited to the test's namespaces.
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import YAML from "yaml";
import {
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  type KubernetesObject,
} from "@kubernetes/client-node";
import { controlPlaneBinaries } from "../testing/control-plane-binaries";
import { REPO_ROOT, STATE_DIR } from "../testing/paths";

export const SA_NAMESPACE = "fleetdeck-system";
export const SA_NAME = "fleetdeck-controller";
const RBAC_DIR = path.join(REPO_ROOT, "config/deploy/rbac");
export const HELM_ROLES_FILE = path.join(REPO_ROOT, "config/deploy-helm-namespaces/roles.yaml");

export const asServiceAccount = () => process.env.FLEETDECK_TEST_AS_SA === "1";
/** The Helm forwarder limited to namespaces, with namespaced Roles (FLEETDECK_TEST_HELM_NAMESPACED=1). */
export const helmNamespaced = () => process.env.FLEETDECK_TEST_HELM_NAMESPACED === "1";

/** What the controller code under test is configured with for the Helm forwarder's namespaces. */
export function helmNamespacesEnv(namespaces: string[]): Record<string, string> {
  return helmNamespaced() ? { FLEETDECK_METADATA_HELM_NAMESPACES: namespaces.join(",") } : {};
}

export function kubectl(kubeconfig: string, args: string[]) {
  return promisify(execFile)(
    path.join(controlPlaneBinaries().dir, "kubectl"),
    ["--kubeconfig", kubeconfig, ...args],
    {
      maxBuffer: 16 * 1024 * 1024,
    },
  );
}

/**
 * Applies config/deploy/rbac for real and writes a kubeconfig with a token of its
 * ServiceAccount; returns that file.
 */
export async function serviceAccountKubeconfig(
  adminKubeconfig: string,
  clusterName: string,
): Promise<string> {
  await kubectl(adminKubeconfig, ["apply", "-k", RBAC_DIR]);
  if (helmNamespaced()) {
    // What config/deploy-helm-namespaces removes; its Roles are granted per test namespace.
    for (const kind of ["clusterrolebinding", "clusterrole"])
      await kubectl(adminKubeconfig, ["delete", kind, "fleetdeck-helm-releases", "--ignore-not-found"]);
  }
  const admin = new KubeConfig();
  admin.loadFromFile(adminKubeconfig);
  const { status } = await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    name: SA_NAME,
    namespace: SA_NAMESPACE,
    body: { spec: { audiences: [], expirationSeconds: 6 * 3600 } },
  });
  const cluster = admin.getCurrentCluster()!;
  const user = `system:serviceaccount:${SA_NAMESPACE}:${SA_NAME}`;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: user, token: status!.token }],
    contexts: [{ name: user, cluster: cluster.name, user }],
    currentContext: user,
  });
  const file = path.join(STATE_DIR, `kubeconfig-${clusterName || "external"}-sa`);
  fs.writeFileSync(file, kc.exportConfig(), { mode: 0o600 });
  return file;
}

/**
 * The Role of config/deploy/rbac/role.yaml bound to the ServiceAccount in `namespace`: test files
 * use their own namespace as fleetdeck's namespace (the Lease lives there), as an installation
 * would use fleetdeck-system.
 */
export async function grantNamespaceRole(admin: KubeConfig, namespace: string): Promise<void> {
  const docs = YAML.parseAllDocuments(fs.readFileSync(path.join(RBAC_DIR, "role.yaml"), "utf8"));
  const api = KubernetesObjectApi.makeApiClient(admin);
  for (const doc of docs) {
    const obj = doc.toJS() as KubernetesObject & { subjects?: { namespace?: string }[] };
    obj.metadata = { ...obj.metadata, namespace };
    // The subject stays the ServiceAccount in fleetdeck-system.
    for (const subject of obj.subjects ?? []) subject.namespace = SA_NAMESPACE;
    await api.patch(obj, undefined, undefined, "fleetdeck-test", true, PatchStrategy.ServerSideApply);
  }
}

/**
 * The Role and RoleBinding of config/deploy-helm-namespaces/roles.yaml (its first namespace's)
 * in `namespace`: what the namespaced Helm mode grants in each listed namespace.
 */
export async function grantHelmNamespaceRole(admin: KubeConfig, namespace: string): Promise<void> {
  const docs = YAML.parseAllDocuments(fs.readFileSync(HELM_ROLES_FILE, "utf8")).map(
    (doc) => doc.toJS() as KubernetesObject & { subjects?: { namespace?: string }[] },
  );
  const first = docs[0]?.metadata?.namespace;
  const api = KubernetesObjectApi.makeApiClient(admin);
  for (const obj of docs.filter((d) => d.metadata?.namespace === first)) {
    obj.metadata = { ...obj.metadata, namespace };
    for (const subject of obj.subjects ?? []) subject.namespace = SA_NAMESPACE;
    await api.patch(obj, undefined, undefined, "fleetdeck-test", true, PatchStrategy.ServerSideApply);
  }
}
