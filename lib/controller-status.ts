// How a controller's heartbeats are judged, by the dashboard and the fleet driver alike: a
// controller runs while it beats; a cluster reports while one of its controllers runs.
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

/** reporting: a controller beats; not-reporting: they all stopped or went stale; never: none ever did. */
export type ClusterReport = "reporting" | "not-reporting" | "never";

/** Whether a cluster's controllers report, and the latest heartbeat of any of them. */
export function clusterReport(
  heartbeats: HeartbeatLike[],
  now: number = Date.now(),
): { report: ClusterReport; lastHeartbeatAt: string | null } {
  const running = heartbeats.some((h) => controllerState(h, now) === "running");
  const latest = Math.max(...heartbeats.map((h) => new Date(h.lastSeenAt).getTime()));
  return {
    report: running ? "reporting" : heartbeats.length > 0 ? "not-reporting" : "never",
    lastHeartbeatAt: heartbeats.length > 0 ? new Date(latest).toISOString() : null,
  };
}
