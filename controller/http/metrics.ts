import type { DelegatedAuth } from "../kube/delegated-auth";
import { registry } from "../kube/metrics";
import type { RouteHandler } from "../kube/manager";

/**
 * Prometheus text exposition of every fleetdeck metric and the process metrics. With `auth`
 * (FLEETDECK_METRICS_AUTH), only for a bearer token whose user may `get` the non-resource URL
 * /metrics (RBAC `nonResourceURLs: ["/metrics"]`), as controller-runtime's secure metrics serve.
 */
export function metricsRoute(auth?: DelegatedAuth): RouteHandler {
  return async (req, res) => {
    if (auth) {
      const decision = await auth.authorize(req, "get", "/metrics");
      if (!decision.ok) {
        res.writeHead(decision.status, { "content-type": "text/plain" }).end(`${decision.message}\n`);
        return;
      }
    }
    const body = await registry.metrics();
    res.writeHead(200, { "content-type": registry.contentType }).end(body);
  };
}
