// config/deploy's variants are valid for the real API server: every object of each passes a
// server-side dry run (schema, defaulting, admission), each is what it says (single: one pod
// on SQLite; fleet/hub: a stateless dashboard, 2 replicas, minAvailable 1, the database URL
// from a Secret; fleet/cluster: the controller, 2 replicas, its RBAC and webhook Service, no
// dashboard), and the RBAC is what the code needs (see test:int:sa).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import YAML from "yaml";
import { REPO_ROOT } from "../testing/paths";
import { kubectl, SA_NAME, SA_NAMESPACE } from "./service-account";

const DEPLOY = path.join(REPO_ROOT, "config/deploy");

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
    expect(containers(pod!)).toEqual(["controller", "dashboard"]);
    await dryRun("single", objects.length);
  });

  it("fleet/hub: the dashboard alone, 2 replicas, minAvailable 1, PostgreSQL from a Secret; no cluster credentials", async () => {
    const objects = await render("fleet/hub");
    const [dashboard, ...others] = deployments(objects);
    expect(others).toEqual([]);
    expect(dashboard!.spec!.replicas).toBe(2);
    expect(containers(dashboard!)).toEqual(["dashboard"]);
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

  it("every RBAC rule says why it is needed", () => {
    for (const file of ["cluster-role.yaml", "role.yaml"]) {
      const text = fs.readFileSync(path.join(DEPLOY, "rbac", file), "utf8");
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
  });
});
