// Finds and loads the controller's credentials: a kubeconfig file, or the in-cluster
// ServiceAccount. Certificates, bearer tokens and token files are read here directly; only a
// kubeconfig whose user runs an exec plugin or an auth provider is handed to client-node,
// loaded on demand: importing it costs about 55 MB of RSS the controller otherwise never pays.
import fs from "node:fs";
import type https from "node:https";
import path from "node:path";
import { parse as parseYaml } from "yaml";

export class KubeConfigError extends Error {
  override name = "KubeConfigError";
}

/** What a request needs of a kubeconfig: the server and the credentials (client-node's shape). */
export interface ClusterCredentials {
  getCurrentCluster(): { server: string } | null;
  /** The kubeconfig's current context ("" in a pod): the cluster's default display name. */
  getCurrentContext(): string;
  applyToHTTPSOptions(options: https.RequestOptions): Promise<void>;
}

export interface InClusterAccess {
  /** https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT */
  server: string;
  /** The mounted ServiceAccount's token and CA. */
  tokenFile: string;
  caFile: string;
}

export interface KubeConfigSources {
  /** KUBECONFIG (or --kubeconfig): used when set, and an error when unreadable. */
  explicit?: string;
  /** Set when running in a pod with its ServiceAccount mounted (see the configuration module). */
  inCluster?: InClusterAccess;
  /** Tried in order when neither of the above applies: the local cluster's, then ~/.kube/config. */
  fallbacks: string[];
}

export interface LoadedKubeConfig {
  kc: ClusterCredentials;
  /** Where it came from, for logs: a file path or "in-cluster". */
  source: string;
}

/**
 * KUBECONFIG first; then the in-cluster ServiceAccount; then the fallbacks. A file that is
 * named but unreadable or invalid is an error that names it, never a silent fall-through to
 * another cluster.
 */
export async function loadKubeConfig(sources: KubeConfigSources): Promise<LoadedKubeConfig> {
  if (sources.explicit) return { kc: await loadFile(sources.explicit), source: sources.explicit };
  if (sources.inCluster) {
    const { server, tokenFile, caFile } = sources.inCluster;
    return {
      kc: new StaticCredentials(server, "", { ca: readFile(caFile), tokenFile }),
      source: "in-cluster",
    };
  }
  for (const candidate of sources.fallbacks) {
    if (fs.existsSync(candidate)) return { kc: await loadFile(candidate), source: candidate };
  }
  throw new KubeConfigError(
    "no kubeconfig found: set KUBECONFIG, run in a cluster, or start the local one with npm run cluster:up",
  );
}

interface KubeconfigFile {
  "current-context"?: string;
  clusters?: { name: string; cluster?: Record<string, unknown> }[];
  contexts?: { name: string; context?: { cluster?: string; user?: string } }[];
  users?: { name: string; user?: Record<string, unknown> }[];
}

async function loadFile(file: string): Promise<ClusterCredentials> {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new KubeConfigError(
      `cannot read kubeconfig ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  let doc: KubeconfigFile;
  try {
    doc = (parseYaml(text) ?? {}) as KubeconfigFile;
  } catch (error) {
    throw new KubeConfigError(`kubeconfig ${file} is not valid: ${(error as Error).message}`);
  }
  const contextName = doc["current-context"];
  const context = doc.contexts?.find((c) => c.name === contextName)?.context;
  const cluster = doc.clusters?.find((c) => c.name === context?.cluster)?.cluster;
  const user = doc.users?.find((u) => u.name === context?.user)?.user;
  if (!context || !cluster || typeof cluster.server !== "string" || !user) {
    throw new KubeConfigError(`kubeconfig ${file} has no usable current context`);
  }
  // Exec plugins and auth providers (cloud logins) are client-node's job.
  if (user.exec || user["auth-provider"]) return loadWithClientNode(file, text);

  const dir = path.dirname(file);
  const material = (dataKey: string, fileKey: string): Buffer | undefined => {
    if (typeof user[dataKey] === "string" || typeof cluster[dataKey] === "string") {
      return Buffer.from(String(user[dataKey] ?? cluster[dataKey]), "base64");
    }
    const named = user[fileKey] ?? cluster[fileKey];
    return typeof named === "string" ? readFile(path.resolve(dir, named)) : undefined;
  };
  return new StaticCredentials(cluster.server, contextName ?? "", {
    ca: material("certificate-authority-data", "certificate-authority"),
    cert: material("client-certificate-data", "client-certificate"),
    key: material("client-key-data", "client-key"),
    token: typeof user.token === "string" ? user.token : undefined,
    tokenFile: typeof user.tokenFile === "string" ? path.resolve(dir, user.tokenFile) : undefined,
    basic:
      typeof user.username === "string"
        ? { username: user.username, password: String(user.password ?? "") }
        : undefined,
    insecure: cluster["insecure-skip-tls-verify"] === true,
    serverName: typeof cluster["tls-server-name"] === "string" ? cluster["tls-server-name"] : undefined,
  });
}

async function loadWithClientNode(file: string, text: string): Promise<ClusterCredentials> {
  const { KubeConfig } = await import("@kubernetes/client-node");
  const kc = new KubeConfig();
  try {
    kc.loadFromString(text);
  } catch (error) {
    throw new KubeConfigError(`kubeconfig ${file} is not valid: ${(error as Error).message}`);
  }
  return kc;
}

function readFile(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    throw new KubeConfigError(
      `cannot read ${file} named by the kubeconfig: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

interface StaticMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  token?: string;
  /** Re-read now and then: projected ServiceAccount tokens rotate. */
  tokenFile?: string;
  basic?: { username: string; password: string };
  insecure?: boolean;
  serverName?: string;
}

const TOKEN_FILE_TTL_MS = 60_000;

/** Certificates and tokens known up front (every kubeconfig without an exec plugin). */
class StaticCredentials implements ClusterCredentials {
  private fileToken: { value: string; readAt: number } | undefined;

  constructor(
    private readonly server: string,
    private readonly context: string,
    private readonly material: StaticMaterial,
  ) {}

  getCurrentCluster(): { server: string } {
    return { server: this.server };
  }

  getCurrentContext(): string {
    return this.context;
  }

  async applyToHTTPSOptions(options: https.RequestOptions): Promise<void> {
    const { ca, cert, key, insecure, serverName, basic } = this.material;
    if (ca) options.ca = ca;
    if (cert) options.cert = cert;
    if (key) options.key = key;
    if (insecure) options.rejectUnauthorized = false;
    if (serverName) options.servername = serverName;
    const token = this.token();
    const headers = (options.headers ?? {}) as Record<string, string>;
    if (token) headers.Authorization = `Bearer ${token}`;
    else if (basic)
      headers.Authorization = `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString("base64")}`;
    options.headers = headers;
  }

  private token(): string | undefined {
    const { token, tokenFile } = this.material;
    if (token) return token;
    if (!tokenFile) return undefined;
    if (!this.fileToken || Date.now() - this.fileToken.readAt > TOKEN_FILE_TTL_MS) {
      this.fileToken = { value: fs.readFileSync(tokenFile, "utf8").trim(), readAt: Date.now() };
    }
    return this.fileToken.value;
  }
}
