// The webhook answers only the API server: the token the local cluster's API server presents
// (its AdmissionConfiguration's kubeConfigFile, testing/webhook-auth.ts) is reviewed with a
// TokenReview, and any other caller is refused before its review is read, so the tracker's
// counts never see it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CoreV1Api } from "@kubernetes/client-node";
import pino from "pino";
import { controllerClient, testNamespace, testWebhookClientToken } from "../../../test/harness";
import { podCreateReview, postToWebhook } from "../../../test/spot";
import { freePort } from "../../../testing/processes";
import { WEBHOOK_CLIENT_USER } from "../../../testing/webhook-auth";
import { DelegatedAuth } from "../../kube/delegated-auth";
import { createCa, issueServingCertificate } from "./certs";
import { WebhookServer } from "./webhook";

const ns = testNamespace("webhook-auth");
const ca = createCa();
const serving = issueServingCertificate(ca, ["127.0.0.1"]);
const admitted: string[] = [];
const server = new WebhookServer(
  {
    // Every pod belongs to an opted-in workload, so each review that is read is counted.
    workloads: {
      get: (ref) => ({
        ref,
        uid: "u",
        replicas: 1,
        settings: { percentage: 0, minOnDemand: 0 },
        configError: undefined,
        disabledUntil: undefined,
      }),
      isDisabled: () => false,
    },
    tracker: {
      ready: () => true,
      admit: (owner, decide) => {
        admitted.push(owner.owner.name);
        return decide({ spot: 0, onDemand: 0, inflightSpot: 0, inflightOnDemand: 0 });
      },
    },
  },
  pino({ level: "silent" }),
  { clients: { auth: new DelegatedAuth(controllerClient()), users: [WEBHOOK_CLIENT_USER] } },
);
let port = 0;
beforeAll(async () => {
  port = await server.listen("127.0.0.1", await freePort(), { cert: serving.certPem, key: serving.keyPem });
});
afterAll(() => server.close());

const review = podCreateReview({
  metadata: {
    labels: { "pod-template-hash": "7d9c5b" },
    ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-7d9c5b", controller: true }],
  },
  spec: { containers: [{ name: "c", image: "i" }] },
});

const post = async (token?: string) => {
  const { status, text } = await postToWebhook({ port, ca: ca.certPem, body: review, token });
  return { status, body: text };
};

describe("webhook authentication", () => {
  it("refuses a caller without a token, with a bad token, or as another user, and counts nothing", async () => {
    const anonymous = await post();
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.body).error).toMatch(/bearer token is required/);

    const forged = await post("not-a-token-the-api-server-knows");
    expect(forged.status).toBe(401);

    // A real identity of the cluster, but not the API server's: a ServiceAccount of the test namespace.
    const core = ns.kc.makeApiClient(CoreV1Api);
    await core.createNamespacedServiceAccount({ namespace: ns.name, body: { metadata: { name: "caller" } } });
    const { status } = await core.createNamespacedServiceAccountToken({
      name: "caller",
      namespace: ns.name,
      body: { spec: { audiences: [] } },
    });
    const other = await post(status!.token);
    expect(other.status).toBe(403);
    expect(JSON.parse(other.body).error).toBe(
      `Forbidden: user "system:serviceaccount:${ns.name}:caller" may not call the webhook`,
    );
    expect(admitted).toEqual([]);
  });

  // An external cluster (FLEETDECK_TEST_KUBECONFIG) has no token of ours to present.
  const apiServerToken = testWebhookClientToken();
  it.runIf(apiServerToken)("answers the API server's token and counts its review", async () => {
    const ok = await post(apiServerToken);
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body).response).toMatchObject({ uid: "uid-1", allowed: true });
    expect(admitted).toEqual(["web-7d9c5b"]);
  });
});
