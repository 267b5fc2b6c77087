// Every DatadogAgent manifest the datadog-operator publishes (examples/datadogagent/ of the Go
// module hack/peer pins) on the operator's own CRD, as a user would bring it: each file in its
// own namespace (with the datadog-secret its comments ask for), accepted by the API server and
// reconciled by fleetdeck: a revision, the rendered workloads, the agent's page (what it does not
// render listed there), a metadata send to the fake intake; no literal key stored or forwarded.
import fs from "node:fs";
import path from "node:path";
import { AppsV1Api, CoreV1Api, type KubernetesObject } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import type { Database } from "../lib/db/open";
import { REVISION_ANNOTATION } from "../controller/agents/render";
import { unsupportedFields } from "../controller/agents/support";
import { KubeClient, resourcePath } from "../controller/kube/client";
import { readClusterIdentity } from "../controller/kube/cluster";
import { InformerFactory } from "../controller/kube/informer-factory";
import { loadMetadataConfig } from "../controller/metadata/config";
import { MetadataForwarding } from "../controller/metadata/forwarding";
import { createTestDatabase } from "../testing/database";
import { startFakeIntake, type FakeIntake } from "../testing/fakeintake/server";
import { operatorExampleFiles } from "../testing/operator-crds";
import { conditionOf, reconciled, startAgents } from "./agents";
import type { ControllerUnderTest } from "./controller";
import { agentPage } from "./dashboard";
import { controllerKubeConfig, createNamespace, eventually, testKubeConfig, testLogger } from "./harness";
import { crdSends } from "./metadata";
import { TEST_SECRETS } from "./secrets";

const kc = testKubeConfig();
const files = operatorExampleFiles();
/** The examples' literal secrets (placeholders): keys, the cluster agent's token, a private key. */
const PLACEHOLDER = /<(DATADOG_API_KEY|DATADOG_APP_KEY|DATADOG_CLUSTER_AGENT_TOKEN|YOUR_PRIVATE_KEY)>/;
let db: Database;
let agents: ControllerUnderTest;
let intake: FakeIntake;
let forwarding: MetadataForwarding;
let informers: InformerFactory;
const namespaces: string[] = [];

beforeAll(async () => {
  ({ db } = await createTestDatabase("examples"));
  agents = await startAgents(controllerKubeConfig(), db);
  intake = await startFakeIntake();
  const client = new KubeClient(controllerKubeConfig());
  informers = new InformerFactory(client, testLogger());
  forwarding = new MetadataForwarding({
    client,
    informers,
    db,
    log: testLogger(),
    cluster: await readClusterIdentity(client),
    controllerId: "examples-test",
    config: loadMetadataConfig({ DD_API_KEY: TEST_SECRETS.metadataApiKey, DD_URL: intake.url }),
  });
  await forwarding.start();
});
afterAll(async () => {
  await forwarding?.stop();
  await informers?.stopAll();
  await agents?.stop();
  await intake?.close();
  const core = kc.makeApiClient(CoreV1Api);
  await Promise.all(namespaces.map((name) => core.deleteNamespace({ name }).catch(() => undefined)));
});

interface Example {
  file: string;
  namespace: string;
  objects: KubernetesObject[];
}

/** One example file's objects, moved to their own namespace (one names openshift-operators). */
async function load(file: string): Promise<Example> {
  const namespace = await createNamespace(kc, "example");
  namespaces.push(namespace);
  const objects = parseAllDocuments(fs.readFileSync(file, "utf8"))
    .map((doc) => doc.toJS() as KubernetesObject | null)
    .filter((o): o is KubernetesObject => !!o?.kind)
    .map((o) => ({ ...o, metadata: { ...o.metadata, namespace } }));
  return { file: path.basename(file), namespace, objects };
}

describe("the operator's examples/datadogagent", () => {
  it("every one is accepted, reconciled, shown and forwarded", async () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
    const admin = new KubeClient(kc, "examples-test");
    const core = kc.makeApiClient(CoreV1Api);
    const examples = await Promise.all(files.map(load));
    for (const { namespace, objects, file } of examples) {
      // As the examples that reference a Secret ask: "First, create the datadog-secret"
      // (placeholder values). The others have literal keys, which become fleetdeck's own Secret.
      const refs = objects.flatMap((o) => {
        const credentials = (o as { spec?: { global?: { credentials?: Record<string, unknown> } } }).spec
          ?.global?.credentials;
        return [credentials?.apiSecret, credentials?.appSecret].filter(Boolean) as {
          secretName: string;
          keyName: string;
        }[];
      });
      for (const secretName of new Set(refs.map((r) => r.secretName))) {
        const keys = refs.filter((r) => r.secretName === secretName).map((r) => r.keyName);
        await core.createNamespacedSecret({
          namespace,
          body: {
            metadata: { name: secretName },
            stringData: Object.fromEntries(keys.map((k) => [k, "placeholder-not-a-real-key"])),
          },
        });
      }
      for (const obj of objects) {
        // Strict, as kubectl: a field the operator's schema does not know would be an error.
        const [group, version] = obj.apiVersion!.includes("/")
          ? obj.apiVersion!.split("/")
          : ["", obj.apiVersion!];
        const resource = { DatadogAgent: "datadogagents", ConfigMap: "configmaps" }[obj.kind!];
        if (!resource) throw new Error(`${file}: unexpected kind ${obj.kind}`);
        await admin
          .create(resourcePath({ group, version: version!, resource, namespace }), obj, {
            fieldValidation: "Strict",
          })
          .catch((error: Error) => {
            throw new Error(`${file}: ${obj.kind} ${obj.metadata?.name} refused: ${error.message}`);
          });
      }
    }
    const agentsOf = (e: Example) => e.objects.filter((o) => o.kind === "DatadogAgent");
    expect(examples.flatMap(agentsOf).length).toBeGreaterThanOrEqual(files.length);

    const report: string[] = [];
    for (const example of examples) {
      for (const obj of agentsOf(example)) {
        const name = obj.metadata!.name!;
        const key = `${example.namespace}/${name}`;
        const what = `${example.file}: ${name}`;
        const agent = await reconciled(kc, example.namespace, name, 120_000);
        expect(conditionOf(agent, "FleetdeckReconciled"), what).toMatchObject({ status: "True" });

        // A revision, the rendered workloads at it, the page, a metadata send.
        const page = await eventually(async () => {
          const p = await agentPage(db, key);
          expect(p.generation).toBe(agent.metadata.generation);
          return p;
        });
        const revision = page.currentRevision!;
        expect(revision, what).toMatch(new RegExp(`^${name}-[0-9a-f]{10}$`));
        const apps = kc.makeApiClient(AppsV1Api);
        const owned = (
          await apps.listNamespacedControllerRevision({ namespace: example.namespace })
        ).items.filter((cr) => cr.metadata?.ownerReferences?.some((o) => o.uid === agent.metadata.uid));
        expect(
          owned.map((cr) => cr.metadata?.name),
          what,
        ).toContain(revision);
        const ds = await apps.readNamespacedDaemonSet({
          namespace: example.namespace,
          name: `${name}-agent`,
        });
        const deploy = await apps.readNamespacedDeployment({
          namespace: example.namespace,
          name: `${name}-cluster-agent`,
        });
        for (const w of [ds, deploy]) {
          expect(w.spec?.template.metadata?.annotations?.[REVISION_ANNOTATION], what).toBe(revision);
          const env = w.spec!.template.spec!.containers[0]!.env ?? [];
          expect(env.find((e) => e.name === "DD_API_KEY")?.valueFrom?.secretKeyRef, what).toBeDefined();
        }
        expect(page.failing, what).toBeNull();
        expect(page.ignoredFields, what).toEqual(
          unsupportedFields(agent.spec as never, agent.metadata.annotations),
        );
        expect(conditionOf(agent, "FleetdeckUnsupportedFields")?.status, what).toBe(
          page.ignoredFields.length > 0 ? "True" : "False",
        );
        const sent = await eventually(() => {
          const sends = crdSends(intake.records(), "DatadogAgent", example.namespace, name);
          expect(sends.length, what).toBeGreaterThan(0);
          return sends;
        });
        // The literal secrets of the examples are never forwarded, nor kept in the store.
        for (const send of sent) expect(JSON.stringify(send), what).not.toMatch(PLACEHOLDER);
        const stored = JSON.stringify([
          await db.agent.findMany({ where: { key } }),
          await db.agentRevision.findMany({ where: { agentKey: key } }),
          await db.metadataSend.findMany({ where: { object: key } }),
        ]);
        expect(stored, what).not.toMatch(PLACEHOLDER);
        report.push(`${what} → ${revision}; not rendered: ${page.ignoredFields.join(", ") || "—"}`);
      }
    }
    console.log(`[examples] ${report.length} DatadogAgents reconciled:\n  ${report.join("\n  ")}`);
  }, 600_000);
});
