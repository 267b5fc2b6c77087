// A steady stream of ping commands, as a busy dashboard would write them: for failover and
// fault tests and the failover benchmark, with the check that nothing was lost on the way.
import { insertCommand } from "../lib/db/commands";
import type { Database } from "../lib/db/open";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface CommandStream {
  /** Stops inserting; returns how many commands it inserted. */
  stop(): Promise<number>;
}

/** Pings for the cluster `clusterId`, one every `intervalMs`. */
export function commandStream(db: Database, clusterId: string, intervalMs = 100): CommandStream {
  let running = true;
  let count = 0;
  const loop = (async () => {
    while (running) {
      const result = await insertCommand(db, {
        clusterId,
        kind: "ping",
        target: "",
        payload: {},
        actor: "stream",
        source: "signal",
      });
      if (!result.ok) throw new Error(result.error);
      count++;
      await sleep(intervalMs);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return count;
    },
  };
}

export interface CommandOutcomes {
  applied: number;
  /** Claimed by a controller that died before recording the outcome: rejected as interrupted. */
  interrupted: number;
  unfinished: number;
}

/**
 * Waits until no command (of `clusterId`) is pending or applying any more (or `timeoutMs`
 * passes) and counts the outcomes. A command is applied at most once, so applied + interrupted
 * must be all of them.
 */
export async function settleCommands(
  db: Database,
  clusterId: string,
  timeoutMs = 90_000,
): Promise<CommandOutcomes> {
  const deadline = Date.now() + timeoutMs;
  let unfinished = Infinity;
  while (unfinished > 0 && Date.now() < deadline) {
    unfinished = await db.command.count({ where: { clusterId, status: { in: ["pending", "applying"] } } });
    if (unfinished > 0) await sleep(200);
  }
  const applied = await db.command.count({ where: { clusterId, status: "applied" } });
  const interrupted = await db.command.count({
    where: { clusterId, status: "rejected", message: { startsWith: "interrupted" } },
  });
  return { applied, interrupted, unfinished };
}

/** Inserts a ping for `clusterId` as the dashboard does and waits until it is applied: by whom, when. */
export async function pingApplied(
  db: Database,
  clusterId: string,
  timeoutMs = 10_000,
): Promise<{ by: string; appliedAt: number }> {
  const inserted = await insertCommand(db, {
    clusterId,
    kind: "ping",
    target: "",
    payload: {},
    actor: "test",
    source: "dashboard",
  });
  if (!inserted.ok) throw new Error(inserted.error);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const c = await db.command.findUniqueOrThrow({ where: { id: inserted.commandId } });
    if (c.status === "applied") return { by: c.claimedBy!, appliedAt: c.appliedAt!.getTime() };
    if (c.appliedAt) throw new Error(`ping ${c.id} ended ${c.status}: ${c.message}`);
    if (Date.now() > deadline) throw new Error(`ping ${c.id} still ${c.status} after ${timeoutMs} ms`);
    await sleep(20);
  }
}
