// /metrics with FLEETDECK_METRICS_AUTH, as controller-runtime's secure metrics serve it: a bearer
// token is required (TokenReview), and its user must be allowed to GET the non-resource URL
// /metrics (SubjectAccessReview), which config/deploy/rbac/metrics-reader.yaml grants.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CoreV1Api,
  KubernetesObjectApi,
  RbacAuthorizationV1Api,
  type KubernetesObject,
} from "@kubernetes/client-node";
import YAML from "yaml";
import { controllerClient, testLogger, testNamespace } from "../../test/harness";
import { REPO_ROOT } from "../../testing/paths";
import { DelegatedAuth } from "../kube/delegated-auth";
import { metricsRoute } from "./metrics";
import { HealthServer } from "./server";

const ns = testNamespace("metrics-auth");
const health = new HealthServer(testLogger());
let url = "";

beforeAll(async () => {
  health.addRoute("/metrics", metricsRoute(new DelegatedAuth(controllerClient())));
  const { port } = await health.listen("127.0.0.1", 0);
  url = `http://127.0.0.1:${port}/metrics`;
  // The installation's reader ClusterRole, as config/deploy applies it.
  const reader = YAML.parse(
    fs.readFileSync(path.join(REPO_ROOT, "config/deploy/rbac/metrics-reader.yaml"), "utf8"),
  ) as KubernetesObject;
  await KubernetesObjectApi.makeApiClient(ns.kc)
    .create(reader)
    .catch((error: { code?: number }) => {
      if (error.code !== 409) throw error;
    });
});
afterAll(() => health.close());

async function tokenOf(name: string): Promise<string> {
  const core = ns.kc.makeApiClient(CoreV1Api);
  await core.createNamespacedServiceAccount({ namespace: ns.name, body: { metadata: { name } } });
  const { status } = await core.createNamespacedServiceAccountToken({
    name,
    namespace: ns.name,
    body: { spec: { audiences: [] } },
  });
  return status!.token;
}

const scrape = (token?: string) => fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });

describe("/metrics behind authentication and authorization", () => {
  it("refuses without a token (401), with a token nobody issued (401), and a user not allowed (403)", async () => {
    expect((await scrape()).status).toBe(401);
    expect((await scrape("made-up-token")).status).toBe(401);
    const stranger = await scrape(await tokenOf("stranger"));
    expect(stranger.status).toBe(403);
    expect(await stranger.text()).toBe(
      `Forbidden: user "system:serviceaccount:${ns.name}:stranger" may not get /metrics\n`,
    );
  });

  it("serves a scraper bound to fleetdeck-metrics-reader", async () => {
    const token = await tokenOf("prometheus");
    await ns.kc.makeApiClient(RbacAuthorizationV1Api).createClusterRoleBinding({
      body: {
        metadata: { name: `${ns.name}-metrics` },
        roleRef: {
          apiGroup: "rbac.authorization.k8s.io",
          kind: "ClusterRole",
          name: "fleetdeck-metrics-reader",
        },
        subjects: [{ kind: "ServiceAccount", name: "prometheus", namespace: ns.name }],
      },
    });
    try {
      const response = await scrape(token);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain("rest_client_requests_total");
    } finally {
      await ns.kc
        .makeApiClient(RbacAuthorizationV1Api)
        .deleteClusterRoleBinding({ name: `${ns.name}-metrics` })
        .catch(() => undefined);
    }
  });
});
