import { Counter, Histogram } from "prom-client";
import { registry } from "../kube/metrics";

export const commandMetrics = {
  applied: new Counter({
    name: "fleetdeck_commands_total",
    help: "Commands finished by this controller, by kind and outcome",
    labelNames: ["kind", "status"],
    registers: [registry],
  }),
  latency: new Histogram({
    name: "fleetdeck_command_latency_seconds",
    help: "From a command's creation to its outcome being recorded",
    labelNames: ["kind"],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10, 30],
    registers: [registry],
  }),
};
