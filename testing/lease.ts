// Leader election in tests. The controllers the tests start use short timings, so a test that
// SIGKILLs a leader waits about 4.5 s for its standby instead of client-go's 15-17 s: the global
// setups (test/, e2e/) put them in the environment, which every controller process started from
// the tests inherits (testing/processes.ts); a value already in the environment wins, and a test
// may pass client-go's (CLIENT_GO_LEASE_ENV) to a controller. The failover benchmark keeps
// client-go's timings (bench/failover.ts).
import { CoordinationV1Api, type KubeConfig } from "@kubernetes/client-node";

const TEST_LEASE_ENV = {
  FLEETDECK_LEASE_DURATION_SECONDS: "4",
  FLEETDECK_RENEW_DEADLINE_SECONDS: "3",
  FLEETDECK_RETRY_PERIOD_SECONDS: "0.5",
};

/** client-go's defaults (15 / 10 / 2 s), for a test that needs a standby to wait a long lease out. */
export const CLIENT_GO_LEASE_ENV: Record<string, string> = {
  FLEETDECK_LEASE_DURATION_SECONDS: "15",
  FLEETDECK_RENEW_DEADLINE_SECONDS: "10",
  FLEETDECK_RETRY_PERIOD_SECONDS: "2",
};

/** Puts the test timings in this process's environment, for the processes it starts. */
export function useTestLeaseTimings(): void {
  for (const [name, value] of Object.entries(TEST_LEASE_ENV)) process.env[name] ??= value;
}

/** The controllers' Lease (controller/main.ts names it) in their namespace, as its holder wrote it. */
export async function readLease(kc: KubeConfig, namespace: string) {
  const lease = await kc
    .makeApiClient(CoordinationV1Api)
    .readNamespacedLease({ namespace, name: "fleetdeck-controller" });
  return lease.spec ?? {};
}

/**
 * The longest a standby may take to apply a command after its leader in `namespace` was
 * SIGKILLed: the lease its holder wrote must expire, then the standby tries again (client-go's
 * retry period is 2 s at most), then it starts leading and applies the command; 5 s for that last
 * part on a busy machine. Read from the Lease, so it holds whatever timings the controllers use.
 */
export async function failoverBoundMs(kc: KubeConfig, namespace: string): Promise<number> {
  const { leaseDurationSeconds } = await readLease(kc, namespace);
  if (!leaseDurationSeconds) throw new Error(`no lease duration on the Lease in ${namespace}`);
  return leaseDurationSeconds * 1000 + 2_000 + 5_000;
}
