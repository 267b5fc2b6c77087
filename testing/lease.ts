// Leader-election timings of the controllers the tests start: short, so a test that SIGKILLs a
// leader waits about 4.5 s for its standby instead of client-go's 15-17 s. Renewing every 0.5 s
// with 3 s of deadline still rides out a loaded machine and the control-plane restarts of the
// fault tests. The global setups (test/, e2e/) put them in the environment, which every
// controller process started from the tests inherits (testing/processes.ts); a value already in
// the environment wins. The failover benchmark keeps client-go's timings (bench/failover.ts).
export const TEST_LEASE = { durationSeconds: 4, renewDeadlineSeconds: 3, retryPeriodSeconds: 0.5 };

const VARIABLES = {
  FLEETDECK_LEASE_DURATION_SECONDS: TEST_LEASE.durationSeconds,
  FLEETDECK_RENEW_DEADLINE_SECONDS: TEST_LEASE.renewDeadlineSeconds,
  FLEETDECK_RETRY_PERIOD_SECONDS: TEST_LEASE.retryPeriodSeconds,
};

/** Puts the test timings in this process's environment, for the processes it starts. */
export function useTestLeaseTimings(): void {
  for (const [name, value] of Object.entries(VARIABLES)) process.env[name] ??= String(value);
}

/**
 * The longest a standby may take to lead after its leader was SIGKILLed, with the timings the
 * run's controllers use: the lease must expire, then the standby's next try (a retry period).
 */
export function failoverBoundMs(): number {
  const seconds = (name: keyof typeof VARIABLES) => Number(process.env[name] ?? VARIABLES[name]);
  return (seconds("FLEETDECK_LEASE_DURATION_SECONDS") + seconds("FLEETDECK_RETRY_PERIOD_SECONDS")) * 1000;
}
