// Real controller processes against the run's cluster, for tests and benchmarks.
import { freePort, startController, waitForHttp, type RunningProcess } from "./processes";

export interface TestController {
  id: string;
  proc: RunningProcess;
  healthURL: string;
  /** Whether /readyz says this process leads. */
  isLeader(): Promise<boolean>;
}

export async function launchController(options: {
  id: string;
  kubeconfig: string;
  /** DATABASE_URL: a SQLite file (file:…) or a PostgreSQL database. */
  databaseUrl: string;
  namespace: string;
  env?: Record<string, string>;
  waitReady?: boolean;
  /** Another build of the controller bundle, and more node flags (see startController). */
  bundle?: string;
  nodeOptions?: string[];
}): Promise<TestController> {
  const port = await freePort();
  const proc = startController(
    options.id,
    {
      KUBECONFIG: options.kubeconfig,
      DATABASE_URL: options.databaseUrl,
      FLEETDECK_CONTROLLER_ID: options.id,
      FLEETDECK_NAMESPACE: options.namespace,
      FLEETDECK_HEALTH_ADDR: `127.0.0.1:${port}`,
      ...options.env,
    },
    { bundle: options.bundle, nodeOptions: options.nodeOptions },
  );
  const healthURL = `http://127.0.0.1:${port}`;
  if (options.waitReady !== false) {
    await waitForHttp(`${healthURL}/readyz`, { proc }).catch(async (error: unknown) => {
      await proc.kill(); // never ready: do not leave it running for the caller, who has no handle
      throw error;
    });
  }
  return {
    id: options.id,
    proc,
    healthURL,
    async isLeader() {
      try {
        const res = await fetch(`${healthURL}/readyz?verbose`, { signal: AbortSignal.timeout(2000) });
        const body = (await res.json()) as { details?: { leader?: { leading?: boolean } } };
        return body.details?.leader?.leading === true;
      } catch {
        return false;
      }
    },
  };
}
