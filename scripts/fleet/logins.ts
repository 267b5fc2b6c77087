// The fleet's database logins on PostgreSQL, made and removed by the owner (the login that runs
// the migrations, with CREATEROLE): one login per cluster, bound to its cluster id, that
// row-level security limits to that cluster's rows; and logins of the hub (the dashboard, the
// fleet driver). The groups, policies and grants are in the migration
// (prisma/postgresql/migrations/20261207000000_cluster_logins); docs/security.md says what each
// may do. Passwords are random, sent to the server only as SCRAM verifiers (a server that logs
// statements logs no password), and returned to the caller to print once.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import pg from "pg";
import { CLUSTER_NAME, CLUSTER_NAME_RULE } from "../../controller/config";
import { TOPICS } from "../../lib/topics";

export const HUB_GROUP = "fleetdeck_hub";
export const CLUSTER_GROUP = "fleetdeck_cluster";
/** The Secrets the deployments read a database URL from (config/deploy/fleet). */
export const CLUSTER_SECRET = "fleetdeck-cluster";
export const HUB_SECRET = "fleetdeck-hub";

/** A kube-system UID (tests use shorter ids: any letters, digits, dots, dashes). */
const CLUSTER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
// fleetdeck's own transaction lock for login changes: two owners adding at once take turns.
const LOGINS_LOCK = 7_315_001;

export class FleetLoginError extends Error {
  override name = "FleetLoginError";
}

export interface NewLogin {
  role: string;
  /** The new login's DATABASE_URL, password included: print it once, store it nowhere else. */
  databaseUrl: string;
}

/** `password`'s SCRAM-SHA-256 verifier, as PostgreSQL stores it (RFC 5802, 7677). */
export function scramVerifier(password: string, salt = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, "sha256");
  const hmac = (key: Buffer, text: string) => createHmac("sha256", key).update(text).digest();
  const storedKey = createHash("sha256").update(hmac(salted, "Client Key")).digest("base64");
  const serverKey = hmac(salted, "Server Key").toString("base64");
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey}:${serverKey}`;
}

/** The owner's URL with another login: same server, database and parameters (`host` overrides where it is reached). */
export function loginUrl(ownerUrl: string, role: string, password: string, host?: string): string {
  const url = new URL(ownerUrl);
  if (host) url.host = host;
  url.username = role;
  url.password = password;
  return url.toString();
}

/** `<prefix>_<what>_<random>`: unique on the server (roles are server-wide), readable, ≤ 63 bytes. */
function roleName(prefix: string, what: string): string {
  const suffix = randomBytes(3).toString("hex");
  const slug = what
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_|_$/g, "");
  return [prefix, slug.slice(0, 63 - prefix.length - suffix.length - 2), suffix].filter(Boolean).join("_");
}

/** Runs `work` as the owner in one transaction, under the logins lock. */
async function asOwner<T>(ownerUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ownerUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1)", [LOGINS_LOCK]);
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    if ((error as { code?: string }).code === "42P01") {
      throw new FleetLoginError(
        `the database is not migrated (${(error as Error).message}): run npm run db:migrate with the owner's URL first`,
      );
    }
    if ((error as { code?: string }).code === "42501") {
      throw new FleetLoginError(
        `the database login of DATABASE_URL may not manage logins (${(error as Error).message}): ` +
          "run this with the owner's URL, the login that ran the migrations (it needs CREATEROLE)",
      );
    }
    throw error;
  } finally {
    await client.end();
  }
}

async function createLogin(client: pg.Client, role: string, group: string): Promise<string> {
  const password = randomBytes(24).toString("base64url");
  await client.query(
    `CREATE ROLE ${client.escapeIdentifier(role)} LOGIN PASSWORD ${client.escapeLiteral(scramVerifier(password))} IN ROLE ${group}`,
  );
  return password;
}

type ClusterRow = { id: string; name: string };

/**
 * Adds a cluster to the fleet: its Cluster row (id and name are the owner's from now on; its
 * controllers refresh the rest) and a login bound to its id. A cluster has one login: remove it
 * to replace it. Refuses a name another cluster holds, a name that is another cluster's id, and
 * an id that is another cluster's name (the dashboard finds a cluster by either).
 */
export async function addCluster(
  ownerUrl: string,
  cluster: { name: string; clusterId: string; host?: string },
): Promise<NewLogin> {
  const { name, clusterId } = cluster;
  if (!CLUSTER_NAME.test(name)) throw new FleetLoginError(`cluster name "${name}" ${CLUSTER_NAME_RULE}`);
  if (!CLUSTER_ID.test(clusterId)) {
    throw new FleetLoginError(`cluster id "${clusterId}" is not a kube-system UID (letters, digits, - . _)`);
  }
  return asOwner(ownerUrl, async (client) => {
    const others = await client.query<ClusterRow>(
      `SELECT "id", "name" FROM "Cluster" WHERE "id" <> $1 AND ("name" = $2 OR "id" = $2 OR "name" = $1)`,
      [clusterId, name],
    );
    for (const other of others.rows) {
      if (other.name === name)
        throw new FleetLoginError(`cluster name "${name}" is taken by cluster ${other.id}`);
      if (other.id === name)
        throw new FleetLoginError(`cluster name "${name}" is the id of another cluster of the fleet`);
      throw new FleetLoginError(
        `cluster id ${clusterId} is the name of cluster ${other.id}: rename that one first`,
      );
    }
    const existing = await client.query<{ role: string }>(
      `SELECT "role" FROM "ClusterLogin" WHERE "clusterId" = $1`,
      [clusterId],
    );
    if (existing.rows[0]) {
      throw new FleetLoginError(
        `cluster ${clusterId} already has a database login (${existing.rows[0].role}): ` +
          "npm run fleet:remove-cluster removes it (its rows stay), then add the cluster again",
      );
    }
    const role = roleName(CLUSTER_GROUP, name);
    const password = await createLogin(client, role, CLUSTER_GROUP);
    await client.query(`INSERT INTO "ClusterLogin" ("role", "clusterId") VALUES ($1, $2)`, [role, clusterId]);
    await client.query(
      `INSERT INTO "Cluster" ("id", "name", "kubernetesVersion", "apiServer", "updatedAt")
       VALUES ($1, $2, '', '', now()) ON CONFLICT ("id") DO UPDATE SET "name" = $2, "updatedAt" = now()`,
      [clusterId, name],
    );
    await client.query(`INSERT INTO "Change" ("topic", "key") VALUES ($1, $2)`, [
      TOPICS.controller,
      clusterId,
    ]);
    return { role, databaseUrl: loginUrl(ownerUrl, role, password, cluster.host) };
  });
}

export interface RemovedCluster {
  cluster: ClusterRow;
  role: string;
  /** Sessions of the login ended; those the owner may not end (no pg_signal_backend) are `left`. */
  terminated: number;
  left: number;
  /** The cluster's rows, kept: how many in each table. */
  kept: Record<string, number>;
}

/**
 * Removes a cluster's login: it can no longer connect, and its open sessions are ended (and see
 * nothing meanwhile: the binding is gone). The cluster's rows stay, and are counted.
 */
export async function removeCluster(ownerUrl: string, nameOrId: string): Promise<RemovedCluster> {
  const removed = await asOwner(ownerUrl, async (client) => {
    const { rows } = await client.query<ClusterRow & { role: string | null }>(
      `SELECT c."id", c."name", l."role" FROM "Cluster" c LEFT JOIN "ClusterLogin" l ON l."clusterId" = c."id"
       WHERE c."id" = $1 OR c."name" = $1 ORDER BY (c."id" = $1) DESC LIMIT 1`,
      [nameOrId],
    );
    const row = rows[0];
    if (!row) throw new FleetLoginError(`no cluster "${nameOrId}" in the fleet`);
    if (!row.role) throw new FleetLoginError(`cluster ${row.name} (${row.id}) has no database login`);
    const oid = await dropLogin(client, row.role);
    await client.query(`DELETE FROM "ClusterLogin" WHERE "role" = $1`, [row.role]);
    return { cluster: { id: row.id, name: row.name }, role: row.role, oid };
  });
  const ended = await endSessions(ownerUrl, removed.oid);
  return {
    cluster: removed.cluster,
    role: removed.role,
    ...ended,
    kept: await clusterRows(ownerUrl, removed.cluster.id),
  };
}

/** Adds a login of the hub: the dashboard's (and the fleet driver's) DATABASE_URL. */
export async function addHub(ownerUrl: string, options: { host?: string } = {}): Promise<NewLogin> {
  return asOwner(ownerUrl, async (client) => {
    const role = roleName(HUB_GROUP, "");
    const password = await createLogin(client, role, HUB_GROUP);
    return { role, databaseUrl: loginUrl(ownerUrl, role, password, options.host) };
  });
}

/** Removes a login of the hub (after its replacement is deployed): it can no longer connect. */
export async function removeHub(
  ownerUrl: string,
  role: string,
): Promise<{ terminated: number; left: number }> {
  const oid = await asOwner(ownerUrl, async (client) => {
    const { rows } = await client.query(
      `SELECT 1 FROM pg_roles r WHERE r.rolname = $1 AND pg_has_role(r.oid, $2, 'MEMBER')
         AND NOT EXISTS (SELECT 1 FROM "ClusterLogin" WHERE "role" = $1)`,
      [role, HUB_GROUP],
    );
    if (rows.length === 0) throw new FleetLoginError(`${role} is not a login of the hub (${HUB_GROUP})`);
    return dropLogin(client, role);
  });
  return endSessions(ownerUrl, oid);
}

/** Drops a login at commit; returns its oid, to end its sessions after. */
async function dropLogin(client: pg.Client, role: string): Promise<number> {
  const { rows } = await client.query<{ oid: number }>(`SELECT oid FROM pg_roles WHERE rolname = $1`, [role]);
  await client.query(`DROP ROLE IF EXISTS ${client.escapeIdentifier(role)}`);
  return rows[0]?.oid ?? 0;
}

/** Ends the sessions a dropped login still holds (it can open no new one). */
async function endSessions(ownerUrl: string, oid: number): Promise<{ terminated: number; left: number }> {
  const client = new pg.Client({ connectionString: ownerUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE usesysid = $1 AND pid <> pg_backend_pid()`,
      [oid],
    );
    let terminated = 0;
    for (const { pid } of rows) {
      const ended = await client
        .query<{ ok: boolean }>("SELECT pg_terminate_backend($1) AS ok", [pid])
        .then((r) => r.rows[0]?.ok === true)
        .catch(() => false);
      if (ended) terminated++;
    }
    return { terminated, left: rows.length - terminated };
  } finally {
    await client.end();
  }
}

/** How many rows of the cluster each table with a clusterId holds (the tables are the catalog's). */
async function clusterRows(ownerUrl: string, clusterId: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: ownerUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.columns
        WHERE table_schema = 'public' AND column_name = 'clusterId' AND table_name <> 'ClusterLogin'
        ORDER BY table_name`,
    );
    const kept: Record<string, number> = {};
    for (const { table_name: table } of tables.rows) {
      const { rows } = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${client.escapeIdentifier(table)} WHERE "clusterId" = $1`,
        [clusterId],
      );
      const n = Number(rows[0]?.n ?? 0);
      if (n > 0) kept[table] = n;
    }
    return kept;
  } finally {
    await client.end();
  }
}

/** The manifest of a Secret holding a database URL, for `kubectl apply -f -` (it merges into an existing Secret). */
export function secretManifest(secret: string, login: NewLogin, about: string): string {
  return `# ${about}: database login ${login.role}.
# Printed once; fleetdeck keeps no copy of the password.
apiVersion: v1
kind: Secret
metadata:
  name: ${secret}
  namespace: fleetdeck-system
type: Opaque
stringData:
  database-url: ${JSON.stringify(login.databaseUrl)}
`;
}
