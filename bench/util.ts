import type { TestController } from "../testing/controllers";

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function eventuallyLeader(controller: TestController, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await controller.isLeader())) {
    if (Date.now() > deadline) throw new Error(`${controller.id} did not become leader`);
    await sleep(50);
  }
}
