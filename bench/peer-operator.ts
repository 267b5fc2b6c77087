// Runs the real datadog-operator manager (built by hack/peer/build.sh) out of the cluster,
// against the local control plane, with its metadata forwarders sending to a given intake.
// What it needs was read from its source (cmd/main.go, pkg/config/creds.go,
// pkg/controller/utils/metadata/); bench/README.md explains each setting.
import net from "node:net";
import { freePort, startProcess, waitForHttp, type RunningProcess } from "../testing/processes";

/** controller-runtime's health probe address is hard-coded in the operator's main.go. */
export const PEER_HEALTH_PORT = 8081;

export interface PeerOperator {
  proc: RunningProcess;
  pid: number;
  healthURL: string;
  metricsURL: string;
}

export async function startPeerOperator(options: {
  binary: string;
  kubeconfig: string;
  intakeURL: string;
  apiKey: string;
  /** The node it "runs on": its manifest sets DD_HOSTNAME from spec.nodeName. */
  nodeName: string;
  name?: string;
  /** More flags, e.g. `-pprof=true` (serves /debug/pprof/ on the metrics address) for a profile. */
  extraArgs?: string[];
}): Promise<PeerOperator> {
  await assertPortFree(PEER_HEALTH_PORT);
  const metricsPort = await freePort();
  const proc = startProcess(
    options.name ?? "bench-peer-operator",
    options.binary,
    [
      // Out of the cluster controller-runtime cannot tell which namespace the Lease would go
      // to, and the operator has no flag for it: one replica, no election.
      "-enable-leader-election=false",
      // Default ":8080" on every interface.
      `-metrics-addr=127.0.0.1:${metricsPort}`,
      // Otherwise it also posts its own metrics to the Datadog API with the placeholder key.
      "-operatorMetricsEnabled=false",
      "-loglevel=info",
      "-logEncoder=json",
      ...(options.extraArgs ?? []),
    ],
    {
      KUBECONFIG: options.kubeconfig,
      // Metadata credentials come from the environment first (pkg/config/creds.go
      // GetCredsWithDDAFallback): DD_API_KEY; DD_URL replaces scheme and host.
      DD_API_KEY: options.apiKey,
      DD_URL: options.intakeURL,
      DD_SITE: undefined,
      DD_DD_URL: undefined,
      DD_APP_KEY: undefined,
      // Without it the cluster-provider detector cannot read its own node and the DatadogAgent
      // reconciler holds every agent for 30 s after start (clusterProviderGateTimeout).
      DD_HOSTNAME: options.nodeName,
      // Unset, as the datadog-operator Helm chart's default: every namespace is watched, as
      // fleetdeck does (the kustomize manifest restricts it to its own namespace).
      WATCH_NAMESPACE: undefined,
      DD_AGENT_WATCH_NAMESPACE: undefined,
    },
  );
  const healthURL = `http://127.0.0.1:${PEER_HEALTH_PORT}`;
  try {
    // It registers a healthz check (goroutines) and no readyz check: /readyz answers 404.
    await waitForHttp(`${healthURL}/healthz`, { proc, timeoutMs: 120_000 });
  } catch (error) {
    await proc.kill();
    throw error;
  }
  return { proc, pid: proc.child.pid!, healthURL, metricsURL: `http://127.0.0.1:${metricsPort}/metrics` };
}

/** The operator binds :8081 on every interface; say who is in the way instead of a bind error. */
async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer();
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          `port ${port} is taken (${error.code}); the datadog-operator binds its health probe to :${port} ` +
            `with no flag to move it: stop what listens there (ss -ltnp 'sport = :${port}')`,
        ),
      ),
    );
    server.listen(port, () => server.close(() => resolve()));
  });
}
