import { describe, expect, it } from "vitest";
import { CoreV1Api, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import { testNamespace, tokenKubeConfig } from "../../test/harness";
import { canI, canIAll } from "./access-review";
import { KubeClient } from "./client";

const ns = testNamespace("ssar");

describe("canI (SelfSubjectAccessReview)", () => {
  it("answers allowed and denied for a narrow ServiceAccount", async () => {
    const core = ns.kc.makeApiClient(CoreV1Api);
    await core.createNamespacedServiceAccount({ namespace: ns.name, body: { metadata: { name: "reader" } } });
    const rbac = ns.kc.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace: ns.name,
      body: {
        metadata: { name: "cm-reader" },
        rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["list", "watch"] }],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: ns.name,
      body: {
        metadata: { name: "reader" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "cm-reader" },
        subjects: [{ kind: "ServiceAccount", name: "reader", namespace: ns.name }],
      },
    });
    const token = await core.createNamespacedServiceAccountToken({
      name: "reader",
      namespace: ns.name,
      body: { spec: { audiences: [] } },
    });
    const kc = tokenKubeConfig(ns.kc, token.status!.token);

    expect(
      await canI(new KubeClient(kc), { verb: "list", group: "", resource: "configmaps", namespace: ns.name }),
    ).toMatchObject({ allowed: true });
    expect(await canI(new KubeClient(kc), { verb: "list", group: "", resource: "configmaps" })).toMatchObject(
      {
        allowed: false,
      },
    );
    expect(
      await canI(new KubeClient(kc), {
        verb: "list",
        group: "datadoghq.com",
        resource: "datadogagents",
        namespace: ns.name,
      }),
    ).toMatchObject({ allowed: false });
    const both = await canIAll(new KubeClient(kc), [
      { verb: "list", group: "", resource: "configmaps", namespace: ns.name },
      { verb: "delete", group: "", resource: "configmaps", namespace: ns.name },
    ]);
    expect(both.allowed).toBe(false);
    expect(both.denied.map((q) => q.verb)).toEqual(["delete"]);
    // The admin may do anything.
    expect(await canI(new KubeClient(ns.kc), { verb: "watch", group: "", resource: "pods" })).toMatchObject({
      allowed: true,
    });
  });
});
