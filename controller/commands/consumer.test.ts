// The command consumer over an in-memory queue: outcomes of every kind of handler result, a
// handler that outlives its timeout, a lost claim, and commands a dead controller left behind.
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { Manager } from "../kube/manager";
import { managerWithoutCluster } from "../../testing/manager";
import type { Authorize } from "../access/authorizer";
import { CommandConsumer, consumeCommands, type ConsumeOptions } from "./consumer";
import { CommandRegistry, CommandRejected } from "./registry";
import type { CommandQueue, InterruptedCommand, Outcome, StoredCommand } from "./store";

interface Row extends StoredCommand {
  status: string;
  claimedBy?: string;
}

class FakeQueue implements CommandQueue {
  readonly rows = new Map<number, Row>();
  readonly finished: { id: number; outcome: Outcome }[] = [];
  readonly rejectedInterrupted: { id: number; message: string }[] = [];
  /** Claims another controller wins. */
  readonly lostClaims = new Set<number>();
  private nextId = 1;

  add(kind: string, payload: unknown, fields: Partial<Row> = {}): number {
    const id = this.nextId++;
    this.rows.set(id, {
      id,
      kind,
      target: "",
      payload: typeof payload === "string" ? payload : JSON.stringify(payload),
      actor: "alice",
      actorAuth: "local",
      identity: null,
      reason: null,
      source: "dashboard",
      createdAt: new Date(),
      status: "pending",
      ...fields,
    });
    return id;
  }
  async pendingIds(limit: number) {
    return [...this.rows.values()]
      .filter((r) => r.status === "pending")
      .slice(0, limit)
      .map((r) => r.id);
  }
  async claim(id: number) {
    const row = this.rows.get(id)!;
    if (row.status !== "pending") return false;
    row.status = "applying";
    row.claimedBy = this.lostClaims.has(id) ? "other-controller" : "me";
    return !this.lostClaims.has(id);
  }
  async load(id: number) {
    return this.rows.get(id)!;
  }
  async finish(command: StoredCommand, outcome: Outcome) {
    this.rows.get(command.id)!.status = outcome.status;
    this.finished.push({ id: command.id, outcome });
  }
  async interrupted(): Promise<InterruptedCommand[]> {
    return [...this.rows.values()]
      .filter((r) => r.status === "applying" && r.claimedBy !== "me")
      .map((r) => ({ id: r.id, kind: r.kind, target: r.target, actor: r.actor, claimedBy: r.claimedBy! }));
  }
  async rejectInterrupted(c: InterruptedCommand, message: string) {
    this.rows.get(c.id)!.status = "rejected";
    this.rejectedInterrupted.push({ id: c.id, message });
    return true;
  }
  outcome(id: number): Outcome | undefined {
    return this.finished.find((f) => f.id === id)?.outcome;
  }
}

const managers: Manager[] = [];
/** The consumer on a manager (leading, without a cluster), as the controller runs it. */
function consume(
  queue: FakeQueue,
  registry: CommandRegistry,
  handlerTimeoutMs = 1_000,
  authorize?: Authorize,
  options: ConsumeOptions = { pollMs: 2 },
): void {
  const consumer = new CommandConsumer(queue, registry, pino({ level: "silent" }), {
    handlerTimeoutMs,
    interruptedAfterMs: 0,
    authorize,
  });
  const manager = managerWithoutCluster();
  consumeCommands(manager, consumer, options);
  managers.push(manager);
  void manager.start();
}
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.stop()));
});

async function until(condition: () => boolean, timeoutMs = 3_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe("CommandConsumer", () => {
  it("records each handler's outcome: applied with details, ignored, a rejection's message, a crash's message", async () => {
    const queue = new FakeQueue();
    const registry = new CommandRegistry().register("ping", async ({ note }) => {
      if (note === "ignore") return { status: "ignored", message: "nothing to do" };
      if (note === "refuse") throw new CommandRejected("not allowed now");
      if (note === "crash") throw new Error("socket hang up");
      return { status: "applied", message: "pong", details: { note } };
    });
    const ids = ["ok", "ignore", "refuse", "crash"].map((note) => queue.add("ping", { note }));
    consume(queue, registry);
    await until(() => queue.finished.length === 4);
    expect(ids.map((id) => queue.outcome(id))).toEqual([
      { status: "applied", message: "pong", details: { note: "ok" } },
      { status: "ignored", message: "nothing to do", details: {} },
      { status: "rejected", message: "not allowed now" },
      { status: "rejected", message: "failed: socket hang up" },
    ]);
  });

  it("rejects what it cannot run: a payload that is not JSON, an invalid payload, a kind whose feature is off", async () => {
    const queue = new FakeQueue();
    const notJson = queue.add("ping", "{not json");
    const invalid = queue.add("ping", { note: 42 });
    const disabled = queue.add("enable-spot", { kind: "Deployment" }, { target: "shop/web" });
    consume(
      queue,
      new CommandRegistry().register("ping", async () => ({ status: "applied", message: "" })),
    );
    await until(() => queue.finished.length === 3);
    expect(queue.outcome(notJson)).toEqual({ status: "rejected", message: "payload is not valid JSON" });
    expect(queue.outcome(invalid)?.message).toMatch(/^invalid ping payload: note: /);
    expect(queue.outcome(disabled)).toEqual({
      status: "rejected",
      message: "this controller does not apply enable-spot commands (its feature is disabled)",
    });
  });

  it("asks authorization before the handler: a refusal rejects the command with its reason, an error says so", async () => {
    const queue = new FakeQueue();
    const ran: string[] = [];
    const registry = new CommandRegistry().register("ping", async ({ note }) => {
      ran.push(note!);
      return { status: "applied", message: "pong" };
    });
    const asked: string[] = [];
    const authorize: Authorize = async (command) => {
      asked.push(`${command.actor}/${command.actorAuth}/${command.identity}`);
      if (command.actor === "mallory") return { allowed: false, reason: "mallory (no groups) cannot ping" };
      if (command.actor === "flaky") throw new Error("HTTP 503: the API server is unavailable");
      return { allowed: true, why: "fine" };
    };
    const denied = queue.add(
      "ping",
      { note: "denied" },
      { actor: "mallory", actorAuth: "proxy", identity: "{}" },
    );
    const error = queue.add("ping", { note: "error" }, { actor: "flaky" });
    const allowed = queue.add("ping", { note: "allowed" });
    consume(queue, registry, 1_000, authorize);
    await until(() => queue.finished.length === 3);
    expect(queue.outcome(denied)).toEqual({
      status: "rejected",
      message: "mallory (no groups) cannot ping",
      details: { access: "denied" },
    });
    expect(queue.outcome(error)).toEqual({
      status: "rejected",
      message: "cannot check whether flaky may do this: HTTP 503: the API server is unavailable",
      details: { access: "error" },
    });
    expect(queue.outcome(allowed)?.status).toBe("applied");
    expect(ran).toEqual(["allowed"]);
    expect(asked[0]).toBe("mallory/proxy/{}");
  });

  it("rejects a handler that outlives its timeout, aborts its signal, and goes on with the next command", async () => {
    const queue = new FakeQueue();
    let signal: AbortSignal | undefined;
    const registry = new CommandRegistry().register("ping", async ({ note }, ctx) => {
      if (note === "slow") {
        signal = ctx.signal;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      return { status: "applied", message: `done ${note}` };
    });
    const slow = queue.add("ping", { note: "slow" });
    const next = queue.add("ping", { note: "next" });
    consume(queue, registry, 50);
    await until(() => queue.finished.length === 2);
    expect(queue.outcome(slow)).toEqual({
      status: "rejected",
      message: "timed out after 0.05 s; check the target's state before resubmitting",
    });
    expect(signal?.aborted).toBe(true);
    expect(queue.outcome(next)).toEqual({ status: "applied", message: "done next", details: {} });
  });

  it("never runs a command whose claim another controller won", async () => {
    const queue = new FakeQueue();
    let calls = 0;
    const registry = new CommandRegistry().register("ping", async () => {
      calls++;
      return { status: "applied", message: "" };
    });
    const lost = queue.add("ping", {});
    queue.lostClaims.add(lost);
    const won = queue.add("ping", {});
    consume(queue, registry);
    await until(() => queue.finished.length === 1);
    expect(queue.finished.map((f) => f.id)).toEqual([won]);
    expect(calls).toBe(1);
  });

  it("looks at once when told the store changed, and otherwise only every poll interval", async () => {
    const queue = new FakeQueue();
    let notify = () => {};
    consume(
      queue,
      new CommandRegistry().register("ping", async () => ({ status: "applied", message: "pong" })),
      1_000,
      undefined,
      { pollMs: 60_000, changes: (onChange) => ((notify = onChange), () => (notify = () => {})) },
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const id = queue.add("ping", {});
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(queue.finished).toEqual([]); // not found by a poll: the next one is a minute away
    notify();
    await until(() => queue.finished.length === 1);
    expect(queue.outcome(id)?.status).toBe("applied");
  });

  it("rejects once, naming the dead controller, a command another controller never finished", async () => {
    const queue = new FakeQueue();
    const orphan = queue.add("ping", {}, { status: "applying", claimedBy: "controller-b" });
    consume(queue, new CommandRegistry());
    await until(() => queue.rejectedInterrupted.length === 1);
    expect(queue.rejectedInterrupted[0]).toEqual({
      id: orphan,
      message:
        "interrupted: controller controller-b stopped while applying it; the outcome is unknown, check the target and resubmit if needed",
    });
    expect(queue.finished).toEqual([]);
  });
});
