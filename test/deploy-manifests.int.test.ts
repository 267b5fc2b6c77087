// config/deploy's variants are valid for the real API server: every object of each passes a
// server-side dry run (schema, defaulting, admission), each is what it says (single: one pod
// on SQLite; fleet/hub: a stateless dashboard, 2 replicas, minAvailable 1, the database URL
// from a Secret; fleet/cluster: the controller, 2 replicas, its RBAC and webhook Service, no
// dashboard), wherever a dashboard runs people reach it only through the oauth2-proxy sidecar
// (the dashboard on the pod's loopback, a NetworkPolicy, the header contract), and the RBAC is
// what the code needs (see test:int:sa).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import YAML from "yaml";
import { REPO_ROOT } from "../testing/paths";
import { uniqueName } from "./harness";
import { kubectl, SA_NAME, SA_NAMESPACE } from "./service-account";

const DEPLOY = path.join(REPO_ROOT, "config/deploy");
const HELM_NAMESPACES = path.join(REPO_ROOT, "config/deploy-helm-namespaces");

type RbacManifest = {
  kind: string;
  metadata: { name: string; namespace?: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
  roleRef?: { name: string };
  spec?: {
    template?: { spec?: { containers?: { name: string; env?: { name: string; value?: string }[] }[] } };
  };
};
const renderDir = async (dir: string) =>
  YAML.parseAllDocuments((await kubectl(inject("kubeconfig"), ["kustomize", dir])).stdout).map(
    (d) => d.toJS() as RbacManifest,
  );

interface Manifest {
  kind: string;
  metadata: { name: string };
  spec?: {
    replicas?: number;
    minAvailable?: number;
    strategy?: { type?: string };
    template?: {
      spec: {
        containers: { name: string; env?: { name: string; valueFrom?: { secretKeyRef?: unknown } }[] }[];
        volumes?: { persistentVolumeClaim?: unknown }[];
      };
    };
  };
}

async function render(variant: string): Promise<Manifest[]> {
  const { stdout } = await kubectl(inject("kubeconfig"), ["kustomize", path.join(DEPLOY, variant)]);
  return YAML.parseAllDocuments(stdout).map((d) => d.toJS() as Manifest);
}

async function dryRun(variant: string, objects: number) {
  const { stdout } = await kubectl(inject("kubeconfig"), [
    "apply",
    "--dry-run=server",
    "-k",
    path.join(DEPLOY, variant),
  ]);
  const lines = stdout.trim().split("\n");
  expect(lines).toHaveLength(objects);
  for (const line of lines) expect(line).toMatch(/ (created|configured|unchanged) \(server dry run\)$/);
}

const deployments = (objects: Manifest[]) => objects.filter((o) => o.kind === "Deployment");
const containers = (d: Manifest) => d.spec!.template!.spec.containers.map((c) => c.name);
const fromSecret = (d: Manifest, variable: string) =>
  d.spec!.template!.spec.containers.some((c) =>
    c.env?.some((e) => e.name === variable && e.valueFrom?.secretKeyRef),
  );

type Env = { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } };
interface Pod {
  containers: {
    name: string;
    image: string;
    env?: Env[];
    ports?: { name: string; containerPort: number }[];
  }[];
}
interface Deployed {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec?: {
    template?: { metadata: { labels: Record<string, string> }; spec: Pod };
    ports?: { targetPort: string | number }[];
    podSelector?: { matchLabels: Record<string, string> };
    policyTypes?: string[];
    ingress?: { from?: unknown[]; ports?: { port: number }[] }[];
  };
}

/** The version of oauth2-proxy the browser suite signs in through (hack/oidc/oauth2-proxy/go.mod). */
const testedOauth2Proxy = () =>
  /^require github\.com\/oauth2-proxy\/oauth2-proxy\/v7 (v\S+)$/m.exec(
    fs.readFileSync(path.join(REPO_ROOT, "hack/oidc/oauth2-proxy/go.mod"), "utf8"),
  )![1];

/**
 * The pod of `app` serves people through the oauth2-proxy sidecar only: the dashboard listens on
 * the pod's loopback and exposes no port, the Service's port is the sidecar's, a NetworkPolicy
 * lets in the sidecar's port (and `otherPorts`) and nothing else, both sides of the header
 * contract name the same headers and the same secret, and the proxy is the version tested.
 */
function expectBehindOidcProxy(objects: Manifest[], app: string, otherPorts: number[]) {
  const docs = objects as unknown as Deployed[];
  const pod = docs.find((d) => d.kind === "Deployment")!.spec!.template!;
  const container = (name: string) => pod.spec.containers.find((c) => c.name === name)!;
  const env = (name: string) => Object.fromEntries((container(name).env ?? []).map((e) => [e.name, e]));
  const dashboard = env("dashboard");
  const proxy = container("oauth2-proxy");
  expect(dashboard.FLEETDECK_WEB_HOST?.value).toBe("127.0.0.1");
  const dashboardPort = Number(dashboard.FLEETDECK_WEB_PORT?.value);
  expect(container("dashboard").ports ?? []).toEqual([]);
  expect(pod.spec.containers.flatMap((c) => c.ports ?? []).map((p) => p.containerPort)).not.toContain(
    dashboardPort,
  );
  const proxyPort = proxy.ports!.find((p) => p.name === "http")!.containerPort;
  const service = docs.find((d) => d.kind === "Service" && d.metadata.name === "fleetdeck-dashboard")!;
  expect(service.spec!.ports!.map((p) => p.targetPort)).toEqual(["http"]);

  const policy = docs.find((d) => d.kind === "NetworkPolicy")!;
  expect(pod.metadata.labels).toMatchObject(policy.spec!.podSelector!.matchLabels);
  expect(policy.spec!.podSelector!.matchLabels).toEqual({ "app.kubernetes.io/name": app });
  expect(policy.spec!.policyTypes).toEqual(["Ingress"]);
  // Every rule names its ports (a rule without ports would let everything in).
  const allowed = policy.spec!.ingress!.flatMap((rule) => {
    expect(rule.ports?.length).toBeGreaterThan(0);
    return rule.ports!.map((p) => p.port);
  });
  expect(allowed.sort()).toEqual([proxyPort, ...otherPorts].sort());

  // The header contract: the dashboard trusts the headers the proxy sets, with the secret both read.
  const config = YAML.parse(
    docs.find((d) => d.kind === "ConfigMap" && d.data?.["oauth2-proxy.yaml"])!.data!["oauth2-proxy.yaml"]!,
  ) as {
    upstreamConfig: { upstreams: { uri: string }[] };
    injectRequestHeaders: { name: string; preserveRequestValue?: boolean; values: unknown[] }[];
  };
  const injected = config.injectRequestHeaders;
  expect(injected.map((h) => h.name)).toEqual(
    expect.arrayContaining([
      dashboard.FLEETDECK_AUTH_PROXY_HEADER!.value,
      dashboard.FLEETDECK_AUTH_PROXY_GROUPS_HEADER!.value,
      "X-Fleetdeck-Proxy-Secret",
    ]),
  );
  // Stripped from the client's request before they are set (preserveRequestValue defaults to false).
  expect(injected.filter((h) => h.preserveRequestValue !== undefined)).toEqual([]);
  expect(config.upstreamConfig.upstreams.map((u) => u.uri)).toEqual([
    `\${FLEETDECK_DASHBOARD_URL:-http://127.0.0.1:${dashboardPort}}`,
  ]);
  const secretOf = (e: Env | undefined) => e?.valueFrom?.secretKeyRef;
  expect(secretOf(dashboard.FLEETDECK_AUTH_PROXY_SECRET)).toEqual({
    name: "fleetdeck-oauth2-proxy",
    key: "proxy-secret",
  });
  expect(secretOf(env("oauth2-proxy").FLEETDECK_AUTH_PROXY_SECRET)).toEqual(
    secretOf(dashboard.FLEETDECK_AUTH_PROXY_SECRET),
  );
  expect(proxy.image).toBe(`quay.io/oauth2-proxy/oauth2-proxy:${testedOauth2Proxy()}`);
}

describe("config/deploy", () => {
  it("single: one pod, the controller and the dashboard on the SQLite volume; the server accepts every object", async () => {
    const objects = await render("single");
    expect(objects.map((o) => o.kind)).toEqual(
      expect.arrayContaining([
        "Namespace",
        "ServiceAccount",
        "ClusterRole",
        "ClusterRoleBinding",
        "Role",
        "RoleBinding",
        "PersistentVolumeClaim",
        "Deployment",
        "Service",
        "PodDisruptionBudget",
      ]),
    );
    const [pod] = deployments(objects);
    expect(pod!.spec).toMatchObject({ replicas: 1, strategy: { type: "Recreate" } });
    expect(containers(pod!)).toEqual(["controller", "dashboard", "oauth2-proxy"]);
    // Besides the sidecar, only the controller's webhook and health ports are let in.
    expectBehindOidcProxy(objects, "fleetdeck", [9443, 8081]);
    await dryRun("single", objects.length);
  });

  it("fleet/hub: the dashboard alone, 2 replicas, minAvailable 1, PostgreSQL from a Secret; no cluster credentials", async () => {
    const objects = await render("fleet/hub");
    const [dashboard, ...others] = deployments(objects);
    expect(others).toEqual([]);
    expect(dashboard!.spec!.replicas).toBe(2);
    expect(containers(dashboard!)).toEqual(["dashboard", "oauth2-proxy"]);
    expectBehindOidcProxy(objects, "fleetdeck-dashboard", []);
    expect(fromSecret(dashboard!, "DATABASE_URL")).toBe(true);
    expect(dashboard!.spec!.template!.spec.volumes?.some((v) => v.persistentVolumeClaim)).toBeFalsy();
    expect(objects.find((o) => o.kind === "PodDisruptionBudget")!.spec!.minAvailable).toBe(1);
    expect(objects.map((o) => o.kind)).not.toContain("ServiceAccount");
    expect(objects.map((o) => o.kind)).not.toContain("PersistentVolumeClaim");
    await dryRun("fleet/hub", objects.length);
  });

  it("fleet/cluster: the controller alone, 2 replicas, its RBAC and webhook Service, PostgreSQL from a Secret; no dashboard", async () => {
    const objects = await render("fleet/cluster");
    const [controller, ...others] = deployments(objects);
    expect(others).toEqual([]);
    expect(controller!.spec!.replicas).toBe(2);
    expect(containers(controller!)).toEqual(["controller"]);
    expect(fromSecret(controller!, "DATABASE_URL")).toBe(true);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(
      expect.arrayContaining([
        "ServiceAccount/fleetdeck-controller",
        "ClusterRole/fleetdeck-controller",
        "Role/fleetdeck-controller",
        "Service/fleetdeck-webhook",
        "PodDisruptionBudget/fleetdeck-controller",
      ]),
    );
    expect(objects.some((o) => o.metadata.name.includes("dashboard"))).toBe(false);
    await dryRun("fleet/cluster", objects.length);
  });

  it.each(["single", "fleet/cluster", "../deploy-helm-namespaces"])(
    "%s: the webhook answers the API server only, which calls it with a ServiceAccount's token bound to nothing",
    async (variant) => {
      const docs = (await renderDir(path.join(DEPLOY, variant))) as unknown as (RbacManifest & {
        type?: string;
        metadata: { annotations?: Record<string, string> };
        automountServiceAccountToken?: boolean;
      })[];
      const caller = "fleetdeck-webhook-caller";
      const controller = docs
        .find((d) => d.kind === "Deployment")!
        .spec!.template!.spec!.containers!.find((c) => c.name === "controller")!;
      expect(controller.env).toContainEqual({
        name: "FLEETDECK_SPOT_WEBHOOK_ALLOWED_USERS",
        value: `system:serviceaccount:fleetdeck-system:${caller}`,
      });
      expect(docs.find((d) => d.kind === "ServiceAccount" && d.metadata.name === caller)).toMatchObject({
        metadata: { namespace: "fleetdeck-system" },
        automountServiceAccountToken: false,
      });
      expect(docs.find((d) => d.kind === "Secret" && d.metadata.name === `${caller}-token`)).toMatchObject({
        type: "kubernetes.io/service-account-token",
        metadata: { annotations: { "kubernetes.io/service-account.name": caller } },
      });
      // The token opens the webhook and nothing else: no binding names the caller.
      expect(docs.filter((d) => d.subjects?.some((s) => s.name === caller))).toEqual([]);
    },
  );

  it("every RBAC rule says why it is needed", () => {
    for (const file of [
      "deploy/rbac/cluster-role.yaml",
      "deploy/rbac/role.yaml",
      "deploy/rbac/metrics-reader.yaml",
      "deploy/rbac/helm-releases.yaml",
      "deploy-helm-namespaces/roles.yaml",
    ]) {
      const text = fs.readFileSync(path.join(REPO_ROOT, "config", file), "utf8");
      const verbs = [...text.matchAll(/^\s+verbs: \[(.*)\]$/gm)].flatMap((m) => m[1]!.split(/,\s*/));
      expect(verbs.length).toBeGreaterThan(0);
      // Each verb is named in a comment of the file, next to the caller that needs it.
      const comments = text
        .split("\n")
        .filter((l) => l.trim().startsWith("#"))
        .join("\n");
      for (const verb of verbs) expect(comments, `${file}: ${verb}`).toMatch(new RegExp(`\\b${verb}\\b`));
    }
  });

  it("the ServiceAccount may do what the code needs and nothing broader", async () => {
    const admin = inject("kubeconfig");
    await kubectl(admin, ["apply", "-k", path.join(DEPLOY, "rbac")]);
    const can = async (...args: string[]) => {
      const as = `--as=system:serviceaccount:${SA_NAMESPACE}:${SA_NAME}`;
      const result = await kubectl(admin, ["auth", "can-i", as, ...args]).catch(
        (error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }),
      );
      return result.stdout.trim() === "yes";
    };
    // Needed (one per rule).
    expect(
      await can("watch", "datadogagents.datadoghq.com", "-A"),
      "can-i watch, datadogagents.datadoghq.com, -A",
    ).toBe(true);
    expect(
      await can("create", "events.events.k8s.io", "-n", "default"),
      "can-i create, events.events.k8s.io, -n, default",
    ).toBe(true);
    expect(
      await can("update", "leases.coordination.k8s.io", "-n", SA_NAMESPACE),
      "can-i update, leases.coordination.k8s.io, -n, SA_NAMESPACE",
    ).toBe(true);
    expect(
      await can("create", "pods", "--subresource=eviction", "-n", "default"),
      "can-i create pods --subresource=eviction",
    ).toBe(true);
    expect(await can("get", "namespaces/kube-system"), "can-i get, namespaces/kube-system").toBe(true);
    expect(await can("list", "secrets", "-A"), "can-i list, secrets, -A (Helm releases)").toBe(true);
    expect(await can("create", "tokenreviews.authentication.k8s.io"), "can-i create tokenreviews").toBe(true);
    expect(
      await can("create", "subjectaccessreviews.authorization.k8s.io"),
      "can-i create subjectaccessreviews",
    ).toBe(true);
    expect(
      await can("watch", "clusterrolebindings.rbac.authorization.k8s.io"),
      "can-i watch clusterrolebindings",
    ).toBe(true);
    // The webhook configuration's name is fixed at install: that one, and no other.
    for (const verb of ["create", "patch", "watch"]) {
      expect(
        await can(verb, "mutatingwebhookconfigurations.admissionregistration.k8s.io/fleetdeck-spot"),
        `can-i ${verb} mutatingwebhookconfigurations/fleetdeck-spot`,
      ).toBe(true);
      expect(
        await can(verb, "mutatingwebhookconfigurations.admissionregistration.k8s.io/other-webhook"),
        `can-i ${verb} mutatingwebhookconfigurations/other-webhook`,
      ).toBe(false);
    }
    expect(
      await can("list", "mutatingwebhookconfigurations.admissionregistration.k8s.io"),
      "can-i list every mutatingwebhookconfiguration",
    ).toBe(false);
    // Not granted.
    expect(await can("get", "namespaces/default"), "can-i get, namespaces/default").toBe(false);
    expect(await can("delete", "pods", "-n", "default"), "can-i delete, pods, -n, default").toBe(false);
    expect(await can("create", "pods", "-n", "default"), "can-i create, pods, -n, default").toBe(false);
    expect(await can("get", "secrets", "-n", "default"), "can-i get, secrets, -n, default").toBe(false);
    expect(
      await can("update", "leases.coordination.k8s.io", "-n", "default"),
      "can-i update, leases.coordination.k8s.io, -n, default",
    ).toBe(false);
    expect(
      await can("delete", "mutatingwebhookconfigurations.admissionregistration.k8s.io"),
      "can-i delete, mutatingwebhookconfigurations.admissionregistration.k8s.io",
    ).toBe(false);
    expect(
      await can("create", "clusterrolebindings.rbac.authorization.k8s.io"),
      "can-i create, clusterrolebindings.rbac.authorization.k8s.io",
    ).toBe(false);
    expect(await can("*", "*"), "can-i *, *").toBe(false);
    expect(
      await can("update", "clusterroles.rbac.authorization.k8s.io"),
      "can-i update, clusterroles.rbac.authorization.k8s.io",
    ).toBe(false);
  });

  it.each(["single", "fleet/cluster"])(
    "%s installs with the webhook's name fixed, /metrics behind authentication and authorization by RBAC",
    async (variant) => {
      const { stdout: rendered } = await kubectl(inject("kubeconfig"), [
        "kustomize",
        path.join(DEPLOY, variant),
      ]);
      const docs = YAML.parseAllDocuments(rendered).map((d) => d.toJS() as Record<string, unknown>);
      const deployment = docs.find((d) => d.kind === "Deployment") as {
        spec: {
          template: { spec: { containers: { name: string; env?: { name: string; value?: string }[] }[] } };
        };
      };
      const controller = deployment.spec.template.spec.containers.find((c) => c.name === "controller")!;
      const env = Object.fromEntries((controller.env ?? []).map((e) => [e.name, e.value]));
      expect(env).toMatchObject({
        FLEETDECK_SPOT_WEBHOOK_NAME: "fleetdeck-spot",
        FLEETDECK_METRICS_AUTH: "true",
        FLEETDECK_AUTHZ: "kubernetes",
      });
      const clusterRole = docs.find(
        (d) => d.kind === "ClusterRole" && (d.metadata as { name: string }).name === "fleetdeck-controller",
      ) as { rules: { resources?: string[]; resourceNames?: string[] }[] };
      const webhookRule = clusterRole.rules.find((r) =>
        r.resources?.includes("mutatingwebhookconfigurations"),
      );
      expect(webhookRule?.resourceNames).toEqual([env.FLEETDECK_SPOT_WEBHOOK_NAME]);
    },
  );

  it("config/deploy-helm-namespaces: no cluster-wide read of Secrets, a Role per listed namespace, the controller told", async () => {
    const docs = await renderDir(HELM_NAMESPACES);
    const named = (kind: string, name: string) =>
      docs.filter((d) => d.kind === kind && d.metadata.name === name);
    expect(named("ClusterRole", "fleetdeck-helm-releases")).toEqual([]);
    expect(named("ClusterRoleBinding", "fleetdeck-helm-releases")).toEqual([]);
    const roles = named("Role", "fleetdeck-helm-releases");
    expect(roles.map((r) => r.metadata.namespace)).toEqual(["datadog"]);
    expect(named("RoleBinding", "fleetdeck-helm-releases")[0]!.subjects).toEqual([
      { kind: "ServiceAccount", name: SA_NAME, namespace: SA_NAMESPACE },
    ]);
    const controller = named("Deployment", "fleetdeck")[0]!.spec!.template!.spec!.containers!.find(
      (c) => c.name === "controller",
    )!;
    expect(controller.env).toContainEqual({ name: "FLEETDECK_METADATA_HELM_NAMESPACES", value: "datadog" });
    // Everything else of config/deploy/single is there (two cluster-wide objects out, two
    // namespaced in), and valid for the API server (the listed namespace made first).
    expect(docs.length).toBe((await render("single")).length);
    const admin = inject("kubeconfig");
    const created = await kubectl(admin, ["create", "namespace", "datadog"]).then(
      () => true,
      () => false,
    );
    try {
      const { stdout } = await kubectl(admin, ["apply", "--dry-run=server", "-k", HELM_NAMESPACES]);
      for (const line of stdout.trim().split("\n"))
        expect(line).toMatch(/ (created|configured|unchanged) \(server dry run\)$/);
    } finally {
      if (created) await kubectl(admin, ["delete", "namespace", "datadog", "--wait=false"]);
    }
  });

  it("the namespaced Helm Role lets the ServiceAccount read Secrets in its namespace and nowhere else", async () => {
    const admin = inject("kubeconfig");
    const namespace = uniqueName("helm-ns");
    const account = uniqueName("helm-reader");
    await kubectl(admin, ["create", "namespace", namespace]);
    try {
      // The overlay's Role and RoleBinding, for a throwaway account (the real one serves other tests).
      const grants = (await renderDir(HELM_NAMESPACES))
        .filter((d) => (d.kind === "Role" || d.kind === "RoleBinding") && d.metadata.namespace === "datadog")
        .map((d) => ({
          ...d,
          metadata: { ...d.metadata, namespace },
          ...(d.subjects ? { subjects: [{ kind: "ServiceAccount", name: account, namespace }] } : {}),
        }));
      expect(grants.map((g) => g.kind)).toEqual(["Role", "RoleBinding"]);
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "rbac-")), "grants.yaml");
      fs.writeFileSync(file, grants.map((g) => YAML.stringify(g)).join("---\n"));
      await kubectl(admin, ["apply", "-f", file]);
      const can = async (...args: string[]) => {
        const as = `--as=system:serviceaccount:${namespace}:${account}`;
        const result = await kubectl(admin, ["auth", "can-i", as, ...args]).catch(
          (error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }),
        );
        return result.stdout.trim() === "yes";
      };
      expect(await can("list", "secrets", "-n", namespace)).toBe(true);
      expect(await can("watch", "configmaps", "-n", namespace)).toBe(true);
      expect(await can("get", "secrets", "-n", namespace)).toBe(false);
      expect(await can("list", "secrets", "-A")).toBe(false);
      expect(await can("list", "secrets", "-n", "default")).toBe(false);
      fs.rmSync(path.dirname(file), { recursive: true });
    } finally {
      await kubectl(admin, ["delete", "namespace", namespace, "--wait=false"]);
    }
  });
});
