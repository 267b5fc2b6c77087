// GET /debug/heap: the heap retained after a full garbage collection, for memory benchmarks
// (bench/gate-memory.ts). Served only when the process runs with --expose-gc (NODE_OPTIONS),
// so a production controller never lets a caller force collections.
import v8 from "node:v8";
import type { RouteHandler } from "../kube/manager";

export function heapAfterGcRoute(gc: () => void): RouteHandler {
  return (_req, res) => {
    // Twice: the first pass may leave objects that only become unreachable after finalizers.
    gc();
    gc();
    const { heapUsed, heapTotal, external, arrayBuffers, rss } = process.memoryUsage();
    const body = {
      heapUsedBytes: heapUsed,
      heapTotalBytes: heapTotal,
      externalBytes: external,
      arrayBuffersBytes: arrayBuffers,
      rssBytes: rss,
      oldSpaceUsedBytes: v8.getHeapSpaceStatistics().find((s) => s.space_name === "old_space")
        ?.space_used_size,
    };
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body) + "\n");
  };
}
