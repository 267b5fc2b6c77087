/** The controller writes a heartbeat every few seconds; this long without one means it is gone. */
export const HEARTBEAT_STALE_AFTER_MS = 15_000;

export type ControllerState = "running" | "stopped" | "stale";

export interface HeartbeatLike {
  lastSeenAt: string | Date;
  stoppedAt: string | Date | null;
}

/** running: beating; stopped: shut down cleanly; stale: stopped beating (crashed, or unreachable DB). */
export function controllerState(row: HeartbeatLike, now: number = Date.now()): ControllerState {
  if (row.stoppedAt) return "stopped";
  return now - new Date(row.lastSeenAt).getTime() > HEARTBEAT_STALE_AFTER_MS ? "stale" : "running";
}
