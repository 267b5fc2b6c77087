// What an integration test file gets: a KubeConfig on the run's real control plane, its own
// namespace (deleted afterwards), and a few helpers that wait for the cluster to converge.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, inject } from "vitest";
import { CoreV1Api, KubeConfig, type V1Namespace } from "@kubernetes/client-node";
import pino from "pino";
import { KubeClient } from "../controller/kube/client";
import type { Logger } from "../controller/log";
import { clusterHandle, webhookAuthEnv } from "../testing/local-cluster";
import { webhookClientToken } from "../testing/webhook-auth";
import {
  asServiceAccount,
  grantHelmNamespaceRole,
  grantNamespaceRole,
  helmNamespaced,
} from "./service-account";

export function testKubeConfig(): KubeConfig {
  const file = inject("kubeconfig");
  if (!file) throw new Error("no test cluster: run the integration project (vitest --project integration)");
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  return kc;
}

/**
 * The kubeconfig file the controller code under test uses: the admin's, or in ServiceAccount mode
 * (`npm run test:int:sa`) a token of config/deploy's ServiceAccount with exactly its RBAC.
 */
export function controllerKubeconfigFile(): string {
  return inject("controllerKubeconfig");
}

export function controllerKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(controllerKubeconfigFile());
  return kc;
}

/** A logger for controller code running inside a test (silent unless FLEETDECK_TEST_LOG_LEVEL says otherwise). */
export function testLogger(): Logger {
  return pino({ level: process.env.FLEETDECK_TEST_LOG_LEVEL ?? "silent" });
}

/** The controller's Kubernetes client with the controller's credentials, as the code under test uses it. */
export function controllerClient(): KubeClient {
  return new KubeClient(controllerKubeConfig(), "fleetdeck-controller/test");
}

/** kwokctl's directory of the run's cluster (pids, logs, audit log); undefined for an external cluster. */
export function testClusterDir(): string | undefined {
  const name = inject("clusterName");
  return name ? clusterHandle(name).dir : undefined;
}

/**
 * The spot webhook settings that make it answer only the run's API server (which presents a
 * token, testing/webhook-auth.ts); none for an external cluster.
 */
export function testWebhookAuthEnv(): Record<string, string> {
  const name = inject("clusterName");
  return name ? webhookAuthEnv(clusterHandle(name)) : {};
}

/** The token the run's API server presents to webhooks, to call one as it does; none for an external cluster. */
export function testWebhookClientToken(): string | undefined {
  const name = inject("clusterName");
  return name ? webhookClientToken(clusterHandle(name).webhookAuth) : undefined;
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString("hex")}`;
}

export async function createNamespace(kc: KubeConfig, prefix: string): Promise<string> {
  const name = uniqueName(prefix);
  const body: V1Namespace = { metadata: { name, labels: { "fleetdeck.dev/test": "true" } } };
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body });
  // Pods are refused until the controller-manager has created the namespace's default
  // ServiceAccount ("serviceaccount default not found"), a moment after the namespace.
  await eventually(() => core.readNamespacedServiceAccount({ namespace: name, name: "default" }), {
    timeoutMs: 30_000,
  });
  // The file's namespace doubles as fleetdeck's own namespace (its Lease): grant what
  // config/deploy grants in fleetdeck-system.
  if (asServiceAccount()) await grantNamespaceRole(kc, name);
  // Namespaced Helm mode: every test namespace is one the forwarder is granted (and told) to read.
  if (asServiceAccount() && helmNamespaced()) await grantHelmNamespaceRole(kc, name);
  return name;
}

/**
 * Registers beforeAll/afterAll hooks that give the test file its own namespace.
 * Use as `const ns = testNamespace("revisions")` at the top of a file and read `ns.name` inside tests.
 */
export function testNamespace(prefix: string): { kc: KubeConfig; readonly name: string } {
  const kc = testKubeConfig();
  let name = "";
  beforeAll(async () => {
    name = await createNamespace(kc, prefix);
  });
  afterAll(async () => {
    if (name)
      await kc
        .makeApiClient(CoreV1Api)
        .deleteNamespace({ name })
        .catch(() => undefined);
  });
  return {
    kc,
    get name() {
      return name;
    },
  };
}

/**
 * Retries `check` until it stops throwing (the last error is reported on timeout), for state
 * that converges asynchronously (controllers, kwok, informers). Not a sleep: it returns as soon
 * as the condition holds.
 */
export async function eventually<T>(
  check: () => Promise<T> | T,
  { timeoutMs = 20_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) {
        (error as Error).message = `not true after ${timeoutMs} ms: ${(error as Error).message}`;
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}

/** A KubeConfig that talks to the same API server with a bearer token instead of the admin cert. */
export function tokenKubeConfig(admin: KubeConfig, token: string, user = "token-user"): KubeConfig {
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error("admin kubeconfig has no cluster");
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: user, token }],
    contexts: [{ name: user, cluster: cluster.name, user }],
    currentContext: user,
  });
  return kc;
}

/** The HTTP status of a failed client-node call (ApiException.code). */
export async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 200;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === "number") return code;
    throw error;
  }
}
