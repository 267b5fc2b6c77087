// Whether a fleet driver leads, for the fleet experiment page: read from its lease in the store
// itself, as sessions are (server/sessions.ts). The lease is the driver's own row and no read
// scope shows it (server/scope/rules.ts); the page needs only who leads and since when.
import "server-only";
import { getDb } from "./db";

export interface FleetDriverLeader {
  holder: string;
  renewedAt: string;
  durationMs: number;
}

/** The fleet driver holding the lease, as it last renewed it; null when none ever did. */
export async function fleetDriverLeader(): Promise<FleetDriverLeader | null> {
  const db = await getDb();
  const lease = await db.fleetDriverLease.findFirst({
    where: { holder: { not: "" } },
    orderBy: { renewedAt: "desc" },
  });
  return lease
    ? { holder: lease.holder, renewedAt: lease.renewedAt.toISOString(), durationMs: lease.durationMs }
    : null;
}
