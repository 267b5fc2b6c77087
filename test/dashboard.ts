// The dashboard's read side in an integration test: its queries (server/queries) on the test's
// store, as a page or route handler calls them. The integration project resolves "server-only"
// to its empty module (vitest.config.ts), as Next does on the server.
import type { Database } from "../lib/db/open";
import { getAgent } from "../server/queries/agents";
import { readScope } from "../server/scope/read-scope";

/** Points the dashboard's one database (server/db.ts) at the test's store. */
function useStore(db: Database): void {
  const g = globalThis as unknown as { fleetdeckDb?: Promise<Database>; fleetdeckDbReady?: boolean };
  g.fleetdeckDb = Promise.resolve(db);
  g.fleetdeckDbReady = true;
}

/** What the agent's page shows (its route handler's DTO), for the store's one cluster, as a local viewer. */
export async function agentPage(db: Database, key: string) {
  useStore(db);
  const { id: clusterId } = await db.cluster.findFirstOrThrow();
  const scope = await readScope(db, { name: "test-viewer", via: "local" });
  const page = await getAgent(scope, clusterId, key);
  if (!page) throw new Error(`no agent page for ${key}`);
  return page;
}
