// What the fleet experiments' integration test, benchmark and demo share: the fleet driver as a
// process, the DatadogAgents that make a change fail in some clusters only, and the count of
// commands a fleet experiment sent (a duplicate is a second command of one kind for one
// DatadogAgent, whatever the driver's own bookkeeping says).
import type { KubeConfig } from "@kubernetes/client-node";
import type { Database } from "../lib/db/open";
import type { FleetPhase } from "../lib/fleet-experiments";
import { crds } from "./custom-resources";
import { freePort, startFleetDriver, waitForHttp, type RunningProcess } from "./processes";
import { until } from "./until";

/**
 * A registry whose images crash-loop in the local cluster (kwok's Stages match "crashloop" in an
 * agent container's image, config/cluster/kwok-stages.yaml): a candidate that sets it breaks
 * every agent whose images come from the registry, and none whose images name their own. A path
 * of Datadog's own registry, so the controller's image policy allows it.
 */
export const CRASHLOOP_REGISTRY = "gcr.io/datadoghq/crashloop";

/** An agent whose images name their repository: a registry change leaves its pods running. */
export const PINNED_AGENT_SPEC = {
  global: { clusterName: "pinned" },
  override: {
    nodeAgent: { image: { name: "gcr.io/datadoghq/agent", tag: "7.72.1" } },
    clusterAgent: { image: { name: "gcr.io/datadoghq/cluster-agent", tag: "7.72.1" } },
  },
};

/** An agent whose images come from the registry (the default). */
export const REGISTRY_AGENT_SPEC = { global: { clusterName: "registry" } };

export async function createAgent(
  kc: KubeConfig,
  namespace: string,
  name: string,
  spec: unknown,
  labels?: Record<string, string>,
): Promise<void> {
  await crds(kc).create("DatadogAgent", namespace, name, spec, labels);
}

export interface FleetDriverProcess {
  id: string;
  proc: RunningProcess;
  healthURL: string;
}

/** A fleet driver replica on the database, ready (its store connected). */
export async function launchFleetDriver(
  id: string,
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<FleetDriverProcess> {
  const port = await freePort();
  const proc = startFleetDriver(id, {
    DATABASE_URL: databaseUrl,
    FLEETDECK_DRIVER_ID: id,
    FLEETDECK_DRIVER_HEALTH_ADDR: `127.0.0.1:${port}`,
    ...env,
  });
  const healthURL = `http://127.0.0.1:${port}`;
  await waitForHttp(`${healthURL}/readyz`, { proc, timeoutMs: 90_000 });
  return { id, proc, healthURL };
}

/** The driver that holds the lease, as the store says (waits for one). */
export async function leadingDriver(db: Database, timeoutMs = 60_000): Promise<string> {
  return until(
    "a fleet driver to lead",
    async () =>
      (await db.fleetDriverLease.findUnique({ where: { name: "fleet-driver" } }))?.holder || undefined,
    { timeoutMs, intervalMs: 200 },
  );
}

/** Waits until the fleet experiment is in one of `phases` (and settled, when asked). */
export async function fleetPhase(
  db: Database,
  name: string,
  phases: FleetPhase[],
  { timeoutMs = 180_000, settled = false }: { timeoutMs?: number; settled?: boolean } = {},
) {
  return until(
    `fleet experiment ${name} to be ${phases.join(" or ")}${settled ? " and settled" : ""}`,
    async () => {
      const fx = await db.fleetExperiment.findUnique({ where: { name } });
      if (!fx || !phases.includes(fx.phase as FleetPhase)) return undefined;
      return !settled || fx.settledAt ? fx : undefined;
    },
    { timeoutMs, intervalMs: 250 },
  );
}

export interface SentCommand {
  id: number;
  clusterId: string;
  kind: string;
  target: string;
  status: string;
  createdAt: Date;
  appliedAt: Date | null;
}

/**
 * Every command of a fleet experiment's DatadogAgents, found by what it says (its experiment id,
 * or a restore of one of its baselines), not by the driver's FleetStep rows; and the duplicates:
 * beyond the first command of each kind for each DatadogAgent of each cluster.
 */
export async function fleetCommands(
  db: Database,
  name: string,
): Promise<{ commands: SentCommand[]; duplicates: number }> {
  const fx = await db.fleetExperiment.findUniqueOrThrow({ where: { name } });
  const targets = await db.fleetTarget.findMany({ where: { fleetExperimentId: fx.id } });
  const rows = await db.command.findMany({
    where: {
      source: "fleet",
      OR: targets.map((t) => ({ clusterId: t.clusterId, target: t.agentKey })),
      createdAt: { gte: fx.createdAt },
    },
    orderBy: { id: "asc" },
  });
  const ours = rows.filter((c) => {
    const payload = JSON.parse(c.payload) as { experimentId?: string; revision?: string };
    if (payload.experimentId !== undefined) return payload.experimentId === name;
    const target = targets.find((t) => t.clusterId === c.clusterId && t.agentKey === c.target);
    return c.reason?.startsWith(`fleet experiment ${name},`) && payload.revision === target?.baselineRevision;
  });
  const seen = new Set<string>();
  let duplicates = 0;
  for (const c of ours) {
    const key = `${c.clusterId} ${c.target} ${c.kind}`;
    if (seen.has(key)) duplicates++;
    seen.add(key);
  }
  return {
    commands: ours.map((c) => ({
      id: c.id,
      clusterId: c.clusterId,
      kind: c.kind,
      target: c.target,
      status: c.status,
      createdAt: c.createdAt,
      appliedAt: c.appliedAt,
    })),
    duplicates,
  };
}
