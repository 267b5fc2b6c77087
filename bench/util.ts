import type { AgentStatus } from "../lib/agents";
import { insertCommand } from "../lib/db/commands";
import { agentStatusOf, experimentStatusColumn } from "../lib/read-model/agents";
import type { Database } from "../lib/db/open";
import type { TestController } from "../testing/controllers";

export { until } from "../testing/until";

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function eventuallyLeader(controller: TestController, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await controller.isLeader())) {
    if (Date.now() > deadline) throw new Error(`${controller.id} did not become leader`);
    await sleep(50);
  }
}

/** Inserts a command as the dashboard does; returns its id. */
export async function benchCommand(
  db: Database,
  clusterId: string,
  kind: string,
  target: string,
  payload: unknown,
): Promise<number> {
  const result = await insertCommand(db, {
    clusterId,
    kind,
    target,
    payload,
    actor: "bench",
    source: "dashboard",
  });
  if (!result.ok) throw new Error(result.error);
  return result.commandId;
}

/**
 * What fleetdeck's store keeps of an agent beside the operator's status: its current revision
 * and the experiment as fleetdeck knows it (the status has no field for the revision pointers).
 */
export async function agentInStore(
  db: Database,
  clusterId: string,
  key: string,
): Promise<AgentStatus | undefined> {
  const row = await db.agent.findUnique({ where: { clusterId_key: { clusterId, key } } });
  return row
    ? agentStatusOf({ ...row, experiment: experimentStatusColumn.decode(row.experiment) })
    : undefined;
}

/** The candidate of the running experiment once its spec has landed (fleetdeck's store says so). */
export async function landedCandidate(
  db: Database,
  clusterId: string,
  key: string,
): Promise<string | undefined> {
  const state = await agentInStore(db, clusterId, key);
  return state?.experiment?.phase === "running" && !state.experiment.expectedSpecHash
    ? state.currentRevision
    : undefined;
}
