// The controller's Prometheus registry and the metrics of controller/kube, named as
// controller-runtime names them where it has a name for the thing.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export const registry = new Registry();
let defaultsCollected = false;

/** Process metrics (CPU, memory, event loop lag, GC); once per process. */
export function collectProcessMetrics(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  collectDefaultMetrics({ register: registry });
}

const durations = [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export const workqueueMetrics = {
  depth: new Gauge({
    name: "workqueue_depth",
    help: "Current depth of the workqueue",
    labelNames: ["name"],
    registers: [registry],
  }),
  adds: new Counter({
    name: "workqueue_adds_total",
    help: "Total number of adds handled by the workqueue",
    labelNames: ["name"],
    registers: [registry],
  }),
  retries: new Counter({
    name: "workqueue_retries_total",
    help: "Total number of retries handled by the workqueue",
    labelNames: ["name"],
    registers: [registry],
  }),
  queueDuration: new Histogram({
    name: "workqueue_queue_duration_seconds",
    help: "How long in seconds an item stays in the workqueue before being requested",
    labelNames: ["name"],
    buckets: durations,
    registers: [registry],
  }),
  workDuration: new Histogram({
    name: "workqueue_work_duration_seconds",
    help: "How long in seconds processing an item from the workqueue takes",
    labelNames: ["name"],
    buckets: durations,
    registers: [registry],
  }),
  unfinishedWork: new Gauge({
    name: "workqueue_unfinished_work_seconds",
    help: "Seconds of work in progress that has not been observed by work_duration",
    labelNames: ["name"],
    registers: [registry],
  }),
  longestRunning: new Gauge({
    name: "workqueue_longest_running_processor_seconds",
    help: "How many seconds the longest running processor has been running",
    labelNames: ["name"],
    registers: [registry],
  }),
};

export const reconcileMetrics = {
  total: new Counter({
    name: "controller_runtime_reconcile_total",
    help: "Total number of reconciliations per controller",
    labelNames: ["controller", "result"],
    registers: [registry],
  }),
  errors: new Counter({
    name: "controller_runtime_reconcile_errors_total",
    help: "Total number of reconciliation errors per controller",
    labelNames: ["controller"],
    registers: [registry],
  }),
  terminalErrors: new Counter({
    name: "controller_runtime_terminal_reconcile_errors_total",
    help: "Total number of terminal reconciliation errors per controller (not retried)",
    labelNames: ["controller"],
    registers: [registry],
  }),
  activeWorkers: new Gauge({
    name: "controller_runtime_active_workers",
    help: "Number of currently used workers per controller",
    labelNames: ["controller"],
    registers: [registry],
  }),
  timeouts: new Counter({
    name: "controller_runtime_reconcile_timeouts_total",
    help: "Total number of reconciliations that exceeded their per-call timeout",
    labelNames: ["controller"],
    registers: [registry],
  }),
  time: new Histogram({
    name: "controller_runtime_reconcile_time_seconds",
    help: "Length of time per reconciliation per controller",
    labelNames: ["controller"],
    buckets: durations,
    registers: [registry],
  }),
};

export const restClientMetrics = {
  requests: new Counter({
    name: "rest_client_requests_total",
    help: "Requests to the API server, by HTTP method and status code (client-go's name)",
    labelNames: ["method", "code"],
    registers: [registry],
  }),
  latency: new Histogram({
    name: "rest_client_request_duration_seconds",
    help: "Request latency to the API server, by verb (client-go's name)",
    labelNames: ["verb"],
    buckets: durations,
    registers: [registry],
  }),
};

export const informerMetrics = {
  events: new Counter({
    name: "fleetdeck_informer_events_total",
    help: "Watch events received, by informer and type",
    labelNames: ["informer", "type"],
    registers: [registry],
  }),
  restarts: new Counter({
    name: "fleetdeck_informer_restarts_total",
    help: "Times an informer restarted its watch, by reason (error, watchdog, gone, closed)",
    labelNames: ["informer", "reason"],
    registers: [registry],
  }),
  relists: new Counter({
    name: "fleetdeck_informer_relists_total",
    help: "Full LISTs done by an informer (initial sync and after a 410 Gone)",
    labelNames: ["informer"],
    registers: [registry],
  }),
  objects: new Gauge({
    name: "fleetdeck_informer_objects",
    help: "Objects in an informer's cache",
    labelNames: ["informer"],
    registers: [registry],
  }),
  synced: new Gauge({
    name: "fleetdeck_informer_synced",
    help: "1 once an informer's cache has synced",
    labelNames: ["informer"],
    registers: [registry],
  }),
};

export const leaderMetrics = {
  isLeader: new Gauge({
    name: "leader_election_master_status",
    help: "1 while this process holds the lease (client-go's name)",
    labelNames: ["name"],
    registers: [registry],
  }),
  transitions: new Counter({
    name: "fleetdeck_leader_election_transitions_total",
    help: "Times this process gained or lost leadership",
    labelNames: ["name", "to"],
    registers: [registry],
  }),
};

export const periodicMetrics = {
  runs: new Counter({
    name: "fleetdeck_periodic_runs_total",
    help: "Runs of a periodic runnable (the manager's every()), by name and result (success, error)",
    labelNames: ["name", "result"],
    registers: [registry],
  }),
  errors: new Counter({
    name: "fleetdeck_periodic_errors_total",
    help: "Failed runs of a periodic runnable, by name",
    labelNames: ["name"],
    registers: [registry],
  }),
  duration: new Histogram({
    name: "fleetdeck_periodic_duration_seconds",
    help: "How long a run of a periodic runnable took, by name",
    labelNames: ["name"],
    buckets: durations,
    registers: [registry],
  }),
};

export const eventMetrics = {
  emitted: new Counter({
    name: "fleetdeck_events_total",
    help: "Kubernetes Events recorded, by reason and whether they were new or folded into a series",
    labelNames: ["reason", "kind"],
    registers: [registry],
  }),
  writeErrors: new Counter({
    name: "fleetdeck_event_write_errors_total",
    help: "Event creates or series updates the API server refused",
    registers: [registry],
  }),
};

/** Sum of a metric's values whose labels include `labels` (for tests and benchmarks). */
export async function metricSum(
  metric: { get(): Promise<{ values: { value: number; labels: object }[] }> },
  labels: Record<string, string> = {},
): Promise<number> {
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, l]) => (v.labels as Record<string, unknown>)[k] === l))
    .reduce((sum, v) => sum + v.value, 0);
}
