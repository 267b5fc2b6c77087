import { registry } from "../kube/metrics";
import type { RouteHandler } from "./server";

/** Prometheus text exposition of every fleetdeck metric and the process metrics. */
export function metricsRoute(): RouteHandler {
  return async (_req, res) => {
    const body = await registry.metrics();
    res.writeHead(200, { "content-type": registry.contentType }).end(body);
  };
}
