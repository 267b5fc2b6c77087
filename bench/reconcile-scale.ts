// 200 DatadogAgents across 20 namespaces created at once against a real controller process:
// seconds from the first create to every agent reconciled (its condition written at its generation,
// DaemonSet and Deployment applied at its current revision), and the controller's peak RSS.
import fs from "node:fs";
import { AppsV1Api, CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { reconciledRevision, type ReconciledView } from "../testing/agent-state";
import { benchStack } from "./stack";
import type { BenchResult } from "./types";
import { eventuallyLeader, sleep } from "./util";

const NAMESPACES = 20;
const PER_NAMESPACE = 10;
const LABEL = "fleetdeck.dev/bench=reconcile-scale";

/** The controller's own node process: the deepest descendant of tsx running controller/main.ts. */
function controllerPid(rootPid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  let pid = rootPid;
  for (;;) {
    const next = (children.get(pid) ?? []).find((child) =>
      fs.readFileSync(`/proc/${child}/cmdline`, "utf8").includes("controller/main.ts"),
    );
    if (next === undefined) return pid;
    pid = next;
  }
}

/** VmHWM (peak resident set) and VmRSS of a process, in MB. */
function memory(pid: number): { peakMb: number; rssMb: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { peakMb: kb("VmHWM") / 1024, rssMb: kb("VmRSS") / 1024 };
}

export async function run(): Promise<BenchResult> {
  const stack = await benchStack();
  try {
    const controller = await stack.startController("bench-controller");
    await eventuallyLeader(controller);
    const pid = controllerPid(controller.proc.child.pid!);
    const idle = memory(pid);
    const core = stack.kc.makeApiClient(CoreV1Api);
    const custom = stack.kc.makeApiClient(CustomObjectsApi);
    const apps = stack.kc.makeApiClient(AppsV1Api);
    const namespaces = Array.from({ length: NAMESPACES }, (_, i) => `scale-${i}`);
    for (const name of namespaces) await core.createNamespace({ body: { metadata: { name } } });

    const started = Date.now();
    await Promise.all(
      namespaces.map(async (namespace) => {
        for (let i = 0; i < PER_NAMESPACE; i++) {
          await custom.createNamespacedCustomObject({
            group: "datadoghq.com",
            version: "v2alpha1",
            plural: "datadogagents",
            namespace,
            body: {
              apiVersion: "datadoghq.com/v2alpha1",
              kind: "DatadogAgent",
              metadata: { name: `agent-${i}`, labels: { "fleetdeck.dev/bench": "reconcile-scale" } },
              spec: {
                global: {
                  clusterName: `${namespace}-${i}`,
                  credentials: { apiSecret: { secretName: "datadog-secret", keyName: "api-key" } },
                },
                features: { apm: { enabled: i % 2 === 0 }, logCollection: { enabled: true } },
                override: { nodeAgent: { env: [{ name: "DD_ENV", value: "bench" }] } },
              },
            },
          });
        }
      }),
    );
    const created = Date.now();

    const total = NAMESPACES * PER_NAMESPACE;
    let done = 0;
    let polls = 0;
    while (done < total) {
      await sleep(250);
      polls++;
      const [agents, daemonSets, deployments] = await Promise.all([
        custom.listClusterCustomObject({
          group: "datadoghq.com",
          version: "v2alpha1",
          plural: "datadogagents",
          labelSelector: LABEL,
        }),
        apps.listDaemonSetForAllNamespaces({ labelSelector: "app.kubernetes.io/managed-by=fleetdeck" }),
        apps.listDeploymentForAllNamespaces({ labelSelector: "app.kubernetes.io/managed-by=fleetdeck" }),
      ]);
      const revisionOf = (
        items: {
          metadata?: { namespace?: string; name?: string };
          spec?: { template?: { metadata?: { annotations?: Record<string, string> } } };
        }[],
      ) =>
        new Map(
          items.map((w) => [
            `${w.metadata?.namespace}/${w.metadata?.name}`,
            w.spec?.template?.metadata?.annotations?.["fleetdeck.dev/revision"],
          ]),
        );
      const ds = revisionOf(daemonSets.items);
      const deploy = revisionOf(deployments.items);
      done = (agents as { items: (ReconciledView & { metadata: { namespace: string } })[] }).items.filter(
        (a) => {
          // Reconciled at its generation (fleetdeck's condition), both workloads at its revision.
          const revision = reconciledRevision(a);
          return (
            revision !== undefined &&
            ds.get(`${a.metadata.namespace}/${a.metadata.name}-agent`) === revision &&
            deploy.get(`${a.metadata.namespace}/${a.metadata.name}-cluster-agent`) === revision
          );
        },
      ).length;
      if (Date.now() - started > 300_000)
        throw new Error(`only ${done}/${total} agents reconciled after 300 s`);
    }
    const seconds = (Date.now() - started) / 1000;
    const peak = memory(pid);
    // user + system CPU of the controller's process so far, in clock ticks (USER_HZ, 100 on Linux)
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    const cpuSeconds = (Number(stat[11]) + Number(stat[12])) / 100;
    return {
      summary: { seconds, rss_mb: peak.peakMb },
      details: {
        agents: total,
        namespaces: NAMESPACES,
        create_seconds: (created - started) / 1000,
        controller_cpu_seconds: cpuSeconds,
        polls,
        controller_pid: pid,
        idle_rss_mb: idle.rssMb,
        final_rss_mb: peak.rssMb,
        peak_rss_mb: peak.peakMb,
        measured: "VmHWM of the controller's node process (/proc/<pid>/status), not tsx's parent",
        target: { seconds: 30, rss_mb: 250 },
      },
    };
  } finally {
    await stack.close();
  }
}
