// The fleet page's rules, shared by the dashboard and the tests: whether a cluster's
// controllers report (from their heartbeats), who leads, and what its forwarders' health is.
import {
  clusterReport,
  controllerState,
  type ClusterReport,
  type ControllerState,
  type HeartbeatLike,
} from "@/lib/controller-status";
import type { ForwarderState } from "@/lib/metadata";

export type { ClusterReport };

export interface HeartbeatRow extends HeartbeatLike {
  controllerId: string;
  isLeader: boolean;
  version: string;
}

export interface ClusterControllers<H extends HeartbeatRow> {
  report: ClusterReport;
  /** The running controller that leads (a leader that stopped beating is not one). */
  leader: H | null;
  /** Running controllers that do not lead. */
  standbys: H[];
  /** The latest heartbeat of any of its controllers. */
  lastHeartbeatAt: string | null;
  states: Map<string, ControllerState>;
}

const time = (value: string | Date) => new Date(value).getTime();

export function clusterControllers<H extends HeartbeatRow>(
  heartbeats: H[],
  now = Date.now(),
): ClusterControllers<H> {
  const states = new Map(heartbeats.map((h) => [h.controllerId, controllerState(h, now)]));
  const running = heartbeats
    .filter((h) => states.get(h.controllerId) === "running")
    .sort((a, b) => time(b.lastSeenAt) - time(a.lastSeenAt));
  const leader = running.find((h) => h.isLeader) ?? null;
  return {
    ...clusterReport(heartbeats, now),
    leader,
    standbys: running.filter((h) => h !== leader),
    states,
  };
}

export type ForwarderHealth = "forwarding" | "failing" | "off" | "standby" | "unknown";

/**
 * One word for a cluster's metadata forwarding: failing when sends failed lately, off when no
 * API key is set, standby when no leader forwards, forwarding when every forwarder is on.
 */
export function forwarderHealth(states: ForwarderState[], failedRecently: number): ForwarderHealth {
  if (states.length === 0) return "unknown";
  if (failedRecently > 0) return "failing";
  if (states.every((s) => s === "on")) return "forwarding";
  if (states.some((s) => s === "off")) return "off";
  return "standby";
}
