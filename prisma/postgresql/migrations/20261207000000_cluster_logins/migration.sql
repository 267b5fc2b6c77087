-- CreateTable
CREATE TABLE "ClusterLogin" (
    "role" TEXT NOT NULL,
    "clusterId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ClusterLogin_pkey" PRIMARY KEY ("role")
);

-- CreateIndex
CREATE UNIQUE INDEX "ClusterLogin_clusterId_key" ON "ClusterLogin"("clusterId");


-- Written by hand (PostgreSQL only; SQLite has no roles): the fleet's trust boundary, see
-- docs/security.md "The fleet's trust boundary". The owner (the login that runs the
-- migrations, which must have CREATEROLE) owns the tables and is not subject to row-level
-- security; the roles below are, through the policies.

-- Group roles, server-wide: one fleetdeck database per PostgreSQL server. Logins join them
-- (npm run fleet:add-hub, fleet:add-cluster); the groups themselves cannot log in.
DO $$
BEGIN
  CREATE ROLE fleetdeck_hub NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
DO $$
BEGIN
  CREATE ROLE fleetdeck_cluster NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;

-- The cluster of the session's login (null for the owner and the hub). session_user, not
-- current_user: SET ROLE does not change it, and a security definer function sees its owner
-- as current_user.
CREATE FUNCTION fleetdeck_cluster_id() RETURNS text
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT
  AS $$ SELECT "clusterId" FROM "ClusterLogin" WHERE "role" = session_user $$;

-- A table of cluster rows: the hub reaches every row, a cluster's login its own cluster's
-- (what it may do with them is what it is granted). `npm run db:schemas -- --migration`
-- appends a call for every new model with a clusterId; lib/db/migrations.int.test.ts fails
-- for a table with a clusterId and no policy.
CREATE FUNCTION fleetdeck_cluster_rows(tbl regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
  EXECUTE format('CREATE POLICY hub_rows ON %s TO fleetdeck_hub USING (true) WITH CHECK (true)', tbl);
  EXECUTE format(
    'CREATE POLICY cluster_rows ON %s TO fleetdeck_cluster '
    'USING ("clusterId" = (SELECT fleetdeck_cluster_id())) '
    'WITH CHECK ("clusterId" = (SELECT fleetdeck_cluster_id()))', tbl);
END $$;
REVOKE EXECUTE ON FUNCTION fleetdeck_cluster_rows(regclass) FROM PUBLIC;

SELECT fleetdeck_cluster_rows(format('%I', table_name)::regclass)
  FROM information_schema.columns
  WHERE table_schema = 'public' AND column_name = 'clusterId'
  ORDER BY table_name;

-- The Cluster row: a cluster's login sees and refreshes its own (never its id or name: the
-- owner's fleet:add-cluster sets those).
ALTER TABLE "Cluster" ENABLE ROW LEVEL SECURITY;
CREATE POLICY hub_rows ON "Cluster" TO fleetdeck_hub USING (true) WITH CHECK (true);
CREATE POLICY cluster_rows ON "Cluster" TO fleetdeck_cluster
  USING ("id" = (SELECT fleetdeck_cluster_id())) WITH CHECK ("id" = (SELECT fleetdeck_cluster_id()));

-- The audit trail: a cluster appends rows as the controller, and deletes its own only once they
-- are a day old (FLEETDECK_AUDIT_RETENTION_DAYS is at least 1): what its retention prunes, never
-- what just happened.
CREATE POLICY cluster_appends_as_controller ON "AuditEvent" AS RESTRICTIVE FOR INSERT
  TO fleetdeck_cluster WITH CHECK ("source" = 'controller');
CREATE POLICY cluster_prunes_old_rows ON "AuditEvent" AS RESTRICTIVE FOR DELETE
  TO fleetdeck_cluster USING ("at" < now() - interval '1 day');

-- The change feed (no cluster: a row says only what to refetch): every writer appends; a
-- cluster prunes rows older than an hour (controller/store/changes.ts) and reads nothing else.
ALTER TABLE "Change" ENABLE ROW LEVEL SECURITY;
CREATE POLICY hub_rows ON "Change" TO fleetdeck_hub USING (true) WITH CHECK (true);
CREATE POLICY cluster_appends ON "Change" FOR INSERT TO fleetdeck_cluster WITH CHECK (true);
CREATE POLICY cluster_sees_old_rows ON "Change" FOR SELECT TO fleetdeck_cluster
  USING ("at" < now() - interval '1 hour');
CREATE POLICY cluster_prunes_old_rows ON "Change" FOR DELETE TO fleetdeck_cluster
  USING ("at" < now() - interval '1 hour');

-- The people the dashboard saw (no cluster: every cluster answers for them): a cluster reads
-- them, and forgets one nobody saw for a day (controller/access/).
ALTER TABLE "AccessSubject" ENABLE ROW LEVEL SECURITY;
CREATE POLICY hub_rows ON "AccessSubject" TO fleetdeck_hub USING (true) WITH CHECK (true);
CREATE POLICY cluster_reads ON "AccessSubject" FOR SELECT TO fleetdeck_cluster USING (true);
CREATE POLICY cluster_forgets_idle ON "AccessSubject" FOR DELETE TO fleetdeck_cluster
  USING ("lastSeenAt" < now() - interval '1 day');

-- The hub (the dashboard and the fleet driver): reads everything; writes its own tables
-- (sessions, the people it saw, the change feed, and the tables added after this migration);
-- appends commands and audit rows but never rewrites them (a command's outcome is its
-- cluster's to record); never writes a cluster's read model, nor the clusters and their logins
-- (the owner's, through fleet:add-cluster).
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO fleetdeck_hub;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO fleetdeck_hub;
REVOKE INSERT, UPDATE, DELETE ON "_prisma_migrations", "Cluster", "ClusterLogin", "ControllerHeartbeat",
  "MetadataSend", "MetadataForwarder", "SpotWorkload", "SpotEvent", "AutoscalingGate", "PodAutoscaler",
  "PodAutoscalerProfile", "Agent", "AgentRevision", "Experiment", "AgentRollout", "AccessCheck",
  "AccessAnswer" FROM fleetdeck_hub;
REVOKE UPDATE, DELETE ON "Command", "AuditEvent" FROM fleetdeck_hub;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO fleetdeck_hub;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE ON SEQUENCES TO fleetdeck_hub;

-- A cluster's login (the controllers of one cluster): its cluster's rows only (the policies
-- above), and of those only what a controller writes. It cannot insert a command, nor change
-- one's kind, payload, actor or authentication: it claims and finishes its own.
GRANT SELECT ON "_prisma_migrations" TO fleetdeck_cluster;
GRANT SELECT, UPDATE ("kubernetesVersion", "apiServer", "updatedAt") ON "Cluster" TO fleetdeck_cluster;
GRANT SELECT, UPDATE ("status", "message", "claimedBy", "claimedAt", "appliedAt") ON "Command"
  TO fleetdeck_cluster;
GRANT SELECT, INSERT, DELETE ON "AuditEvent" TO fleetdeck_cluster;
GRANT SELECT, INSERT, UPDATE ON "ControllerHeartbeat" TO fleetdeck_cluster;
GRANT SELECT, INSERT, UPDATE, DELETE ON "MetadataSend", "MetadataForwarder", "SpotWorkload", "SpotEvent",
  "AutoscalingGate", "PodAutoscaler", "PodAutoscalerProfile", "Agent", "AgentRevision", "Experiment",
  "AgentRollout", "AccessCheck", "AccessAnswer" TO fleetdeck_cluster;
GRANT INSERT, DELETE, SELECT ("at") ON "Change" TO fleetdeck_cluster;
GRANT SELECT, DELETE ON "AccessSubject" TO fleetdeck_cluster;
GRANT USAGE ON SEQUENCE "AuditEvent_id_seq", "Change_id_seq", "MetadataSend_id_seq", "SpotEvent_id_seq",
  "AgentRevision_id_seq", "Experiment_id_seq" TO fleetdeck_cluster;
