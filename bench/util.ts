import { insertCommand } from "../lib/db/commands";
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
