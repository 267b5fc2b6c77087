// Finds and loads the kubeconfig, and learns who the cluster is (id, version).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CoreV1Api, KubeConfig, VersionApi } from "@kubernetes/client-node";

export class KubeConfigError extends Error {
  override name = "KubeConfigError";
}

export interface LoadedKubeConfig {
  kc: KubeConfig;
  /** Where it came from, for logs: a file path or "in-cluster". */
  source: string;
}

/** The local cluster's kubeconfig (npm run cluster:up), used when nothing else is configured. */
export function localClusterKubeconfig(): string {
  return path.resolve(process.env.FLEETDECK_HOME ?? ".fleetdeck", "kubeconfig");
}

/**
 * KUBECONFIG (or --kubeconfig) first; then the in-cluster service account; then the local
 * cluster's kubeconfig; then ~/.kube/config. A file that is named but unreadable or invalid is
 * an error that names it, never a silent fall-through to another cluster.
 */
export function loadKubeConfig(explicitPath?: string): LoadedKubeConfig {
  const kc = new KubeConfig();
  if (explicitPath) {
    loadFile(kc, explicitPath);
    return { kc, source: explicitPath };
  }
  if (
    process.env.KUBERNETES_SERVICE_HOST &&
    fs.existsSync("/var/run/secrets/kubernetes.io/serviceaccount/token")
  ) {
    kc.loadFromCluster();
    return { kc, source: "in-cluster" };
  }
  for (const candidate of [localClusterKubeconfig(), path.join(os.homedir(), ".kube", "config")]) {
    if (fs.existsSync(candidate)) {
      loadFile(kc, candidate);
      return { kc, source: candidate };
    }
  }
  throw new KubeConfigError(
    "no kubeconfig found: set KUBECONFIG, run in a cluster, or start the local one with npm run cluster:up",
  );
}

function loadFile(kc: KubeConfig, file: string): void {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new KubeConfigError(
      `cannot read kubeconfig ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  try {
    kc.loadFromString(text);
  } catch (error) {
    throw new KubeConfigError(`kubeconfig ${file} is not valid: ${(error as Error).message}`);
  }
  if (!kc.getCurrentCluster() || !kc.getCurrentUser()) {
    throw new KubeConfigError(`kubeconfig ${file} has no usable current context`);
  }
}

export interface ClusterIdentity {
  /** UID of the kube-system namespace: stable for the life of the cluster (Datadog's cluster id). */
  clusterId: string;
  kubernetesVersion: string;
  server: string;
}

export async function readClusterIdentity(kc: KubeConfig): Promise<ClusterIdentity> {
  const version = await kc.makeApiClient(VersionApi).getCode();
  const kubeSystem = await kc.makeApiClient(CoreV1Api).readNamespace({ name: "kube-system" });
  return {
    clusterId: kubeSystem.metadata?.uid ?? "",
    kubernetesVersion: version.gitVersion,
    server: kc.getCurrentCluster()?.server ?? "",
  };
}

/** Retries until the API server answers, so a controller started with its cluster can wait for it. */
export async function waitForClusterIdentity(
  kc: KubeConfig,
  timeoutMs: number,
  onRetry: (error: Error) => void,
): Promise<ClusterIdentity> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 250; ; delay = Math.min(delay * 2, 4000)) {
    try {
      return await readClusterIdentity(kc);
    } catch (error) {
      const message = describeKubeError(error);
      if (Date.now() + delay > deadline) {
        throw new KubeConfigError(
          `cannot reach the Kubernetes API at ${kc.getCurrentCluster()?.server}: ${message}`,
        );
      }
      onRetry(new Error(message));
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** A one-line description of a client-node error (ApiException, network error...). */
export function describeKubeError(error: unknown): string {
  const e = error as { code?: number | string; body?: unknown; message?: string; cause?: { code?: string } };
  if (typeof e.code === "number") {
    const body = typeof e.body === "string" ? safeJson(e.body) : e.body;
    const message = (body as { message?: string } | undefined)?.message;
    return `HTTP ${e.code}${message ? `: ${message}` : ""}`;
  }
  return e.cause?.code ?? e.message ?? String(error);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 200) };
  }
}

/** The HTTP status of a client-node ApiException, or undefined for other errors. */
export function statusCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === "number" ? code : undefined;
}

/**
 * `fleetdeck-controller/<version> (<os>/<arch>) <controller id>`, as client-go identifies its
 * programs: the API server's audit log and metrics can then tell this process's requests from
 * every other client's (the local cluster's admin user is shared with kube-controller-manager).
 */
export function controllerUserAgent(controllerId: string, version: string): string {
  const id = controllerId.replace(/[^\x21-\x7e]/g, "_");
  return `fleetdeck-controller/${version} (${process.platform}/${process.arch}) ${id}`;
}

/** Makes every request made with `kc` (raw ones and client-node's typed APIs) carry `userAgent`. */
export function setUserAgent(kc: KubeConfig, userAgent: string): void {
  const applyToHTTPSOptions = kc.applyToHTTPSOptions.bind(kc);
  kc.applyToHTTPSOptions = async (opts) => {
    await applyToHTTPSOptions(opts);
    opts.headers = { ...opts.headers, "User-Agent": userAgent };
  };
  const applySecurityAuthentication = kc.applySecurityAuthentication.bind(kc);
  kc.applySecurityAuthentication = async (context) => {
    await applySecurityAuthentication(context);
    context.setHeaderParam("User-Agent", userAgent);
  };
}
