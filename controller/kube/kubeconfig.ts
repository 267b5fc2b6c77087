// Finds and loads the kubeconfig: the one thing client-node still does for the controller
// (credentials: certificates, tokens, exec plugins).
import fs from "node:fs";
import { KubeConfig } from "@kubernetes/client-node";

export class KubeConfigError extends Error {
  override name = "KubeConfigError";
}

export interface KubeConfigSources {
  /** KUBECONFIG (or --kubeconfig): used when set, and an error when unreadable. */
  explicit?: string;
  /** Running in a pod with a ServiceAccount token (see the configuration module). */
  inCluster: boolean;
  /** Tried in order when neither of the above applies: the local cluster's, then ~/.kube/config. */
  fallbacks: string[];
}

export interface LoadedKubeConfig {
  kc: KubeConfig;
  /** Where it came from, for logs: a file path or "in-cluster". */
  source: string;
}

/**
 * KUBECONFIG first; then the in-cluster ServiceAccount; then the fallbacks. A file that is
 * named but unreadable or invalid is an error that names it, never a silent fall-through to
 * another cluster.
 */
export function loadKubeConfig(sources: KubeConfigSources): LoadedKubeConfig {
  const kc = new KubeConfig();
  if (sources.explicit) {
    loadFile(kc, sources.explicit);
    return { kc, source: sources.explicit };
  }
  if (sources.inCluster) {
    kc.loadFromCluster();
    return { kc, source: "in-cluster" };
  }
  for (const candidate of sources.fallbacks) {
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
