// Metrics of the lazy autoscaling gate and the pod cache, read at scrape time.
import { Gauge } from "prom-client";
import { registry } from "../../kube/metrics";
import type { AutoscalingGate } from "../gate";
import type { PodCache } from "../pod-cache";

export function registerGateMetrics(gate: AutoscalingGate, pods: PodCache): void {
  const seconds = (d: Date | null) => (d ? d.getTime() / 1000 : 0);
  const gauges: [string, string, () => number][] = [
    [
      "fleetdeck_autoscaling_gate_open",
      "1 once the first autoscaler or cluster profile opened the gate",
      () => (gate.isEnabled() ? 1 : 0),
    ],
    [
      "fleetdeck_autoscaling_gate_opened_timestamp_seconds",
      "When the gate opened (0: closed)",
      () => seconds(gate.state().openedAt),
    ],
    [
      "fleetdeck_autoscaling_pod_collection_synced",
      "1 once the pod cache's first list is cached",
      () => (gate.isPodCollectionSynced() ? 1 : 0),
    ],
    [
      "fleetdeck_autoscaling_pod_collection_synced_timestamp_seconds",
      "When pod collection synced (0: not yet)",
      () => seconds(gate.state().podCollectionSyncedAt),
    ],
    ["fleetdeck_autoscaling_pods_cached", "Pods in the controller's pod cache", () => pods.size],
    [
      "fleetdeck_autoscaling_pod_store_bytes",
      "Estimated heap retained by the pod cache",
      () => pods.estimatedBytes(),
    ],
  ];
  for (const [name, help, read] of gauges) {
    registry.removeSingleMetric(name);
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  }
}
