// config/deploy is valid for the real API server: every object passes a server-side dry run
// (schema, defaulting, admission), and its RBAC is what the code needs (see test:int:sa).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import YAML from "yaml";
import { REPO_ROOT } from "../testing/paths";
import { kubectl, SA_NAME, SA_NAMESPACE } from "./service-account";

const DEPLOY = path.join(REPO_ROOT, "config/deploy");

describe("config/deploy", () => {
  it("kubectl apply --dry-run=server -k config/deploy accepts every object", async () => {
    const { stdout: rendered } = await kubectl(inject("kubeconfig"), ["kustomize", DEPLOY]);
    const kinds = YAML.parseAllDocuments(rendered).map((d) => (d.toJS() as { kind: string }).kind);
    expect(kinds).toEqual(
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
    const { stdout } = await kubectl(inject("kubeconfig"), ["apply", "--dry-run=server", "-k", DEPLOY]);
    const lines = stdout.trim().split("\n");
    expect(lines).toHaveLength(kinds.length);
    for (const line of lines) expect(line).toMatch(/ (created|configured|unchanged) \(server dry run\)$/);
  });

  it("every RBAC rule says why it is needed", () => {
    for (const file of ["cluster-role.yaml", "role.yaml", "metrics-reader.yaml"]) {
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

  it("installs with the webhook's name fixed, /metrics behind authentication and authorization by RBAC", async () => {
    const { stdout: rendered } = await kubectl(inject("kubeconfig"), ["kustomize", DEPLOY]);
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
    const webhookRule = clusterRole.rules.find((r) => r.resources?.includes("mutatingwebhookconfigurations"));
    expect(webhookRule?.resourceNames).toEqual([env.FLEETDECK_SPOT_WEBHOOK_NAME]);
  });
});
