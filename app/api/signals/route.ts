// POST /api/signals?target=<namespace>/<name>&cluster=<name or id>: the Remote Config experiment
// signal of datadog-operator PR #2760, unchanged, from a fleet-automation backend. Authenticated
// with `Authorization: Bearer $FLEETDECK_API_TOKEN`; becomes a Command that the leader of that
// cluster applies. `cluster` may be left out while the fleet has one cluster.
import { namespacedName } from "@/lib/commands";
import { parseSignal } from "@/lib/signals";
import { apiTokenActor } from "@/server/api-auth";
import { scopeFor } from "@/server/scope/request";
import { insertCommand } from "@/server/commands";
import { webConfig } from "@/server/config";
import { listClusters, resolveCluster } from "@/server/queries/clusters";

export const dynamic = "force-dynamic";

const MAX_BODY_BYTES = 64 * 1024;

function problem(status: number, error: string, extra: Record<string, unknown> = {}) {
  return Response.json({ error, ...extra }, { status });
}

async function readBody(request: Request): Promise<string | null> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) return null;
  const reader = request.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export async function POST(request: Request) {
  const config = webConfig();
  if (!config.FLEETDECK_API_TOKEN) {
    return problem(
      503,
      "the signal endpoint is disabled: set FLEETDECK_API_TOKEN on the dashboard to enable it",
    );
  }
  const actor = apiTokenActor(request);
  if (!actor) return problem(401, "missing or invalid bearer token", {});

  const query = new URL(request.url).searchParams;
  const target = query.get("target") ?? "";
  const parsedTarget = namespacedName.safeParse(target);
  if (!parsedTarget.success) {
    return problem(
      400,
      `query parameter target must name the DatadogAgent as namespace/name, got "${target}"`,
    );
  }
  const clusterParam = query.get("cluster");
  // The API token's scope shows every cluster's name (and of commands, only its own).
  const scope = await scopeFor(actor);
  const clusters = await listClusters(scope);
  const cluster = clusterParam
    ? await resolveCluster(scope, clusterParam)
    : clusters.length === 1
      ? clusters[0]
      : undefined;
  if (!cluster) {
    return problem(
      clusterParam ? 404 : 400,
      clusterParam
        ? `query parameter cluster names no cluster of the fleet: "${clusterParam}"`
        : `query parameter cluster must name the cluster (one of: ${clusters.map((c) => c.name).join(", ") || "none registered yet"})`,
    );
  }
  const body = await readBody(request);
  if (body === null) return problem(413, `body larger than ${MAX_BODY_BYTES} bytes`);
  const signal = parseSignal(body);
  if (!signal.ok) {
    const status = signal.error.code === "not-json" ? 400 : 422;
    return problem(status, signal.error.message, { code: signal.error.code });
  }
  const result = await insertCommand({
    clusterId: cluster.id,
    kind: signal.kind,
    target: parsedTarget.data,
    payload: signal.payload,
    actor: actor.name,
    actorAuth: actor.via,
    identity: actor.subject,
    source: "signal",
  });
  if (!result.ok) return problem(422, result.error);
  return Response.json(
    { commandId: result.commandId, status: "pending", statusUrl: `/api/commands/${result.commandId}` },
    { status: 202 },
  );
}
