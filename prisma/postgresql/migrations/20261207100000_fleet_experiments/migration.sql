-- AlterTable
ALTER TABLE "Cluster" ADD COLUMN     "labels" TEXT NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "Agent" ADD COLUMN     "labels" TEXT NOT NULL DEFAULT '{}';

-- CreateTable
CREATE TABLE "FleetExperiment" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "spec" TEXT NOT NULL,
    "plan" TEXT NOT NULL,
    "phase" TEXT NOT NULL,
    "wave" INTEGER NOT NULL DEFAULT 0,
    "approvedWave" INTEGER NOT NULL DEFAULT 0,
    "advancedWave" INTEGER,
    "haltCause" TEXT,
    "actor" TEXT NOT NULL,
    "actorAuth" TEXT NOT NULL,
    "identity" TEXT,
    "version" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "haltedAt" TIMESTAMP(3),
    "settledAt" TIMESTAMP(3),

    CONSTRAINT "FleetExperiment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FleetTarget" (
    "fleetExperimentId" INTEGER NOT NULL,
    "clusterId" TEXT NOT NULL,
    "agentKey" TEXT NOT NULL,
    "clusterName" TEXT NOT NULL,
    "wave" INTEGER NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'waiting',
    "detail" TEXT NOT NULL DEFAULT '',
    "failure" TEXT,
    "baselineRevision" TEXT,
    "candidateRevision" TEXT,
    "healthySince" TIMESTAMP(3),
    "restoredAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "FleetTarget_pkey" PRIMARY KEY ("fleetExperimentId","clusterId","agentKey")
);

-- CreateTable
CREATE TABLE "FleetStep" (
    "fleetExperimentId" INTEGER NOT NULL,
    "clusterId" TEXT NOT NULL,
    "agentKey" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "commandId" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FleetStep_pkey" PRIMARY KEY ("fleetExperimentId","clusterId","agentKey","step")
);

-- CreateTable
CREATE TABLE "FleetNotification" (
    "id" SERIAL NOT NULL,
    "fleetExperimentId" INTEGER NOT NULL,
    "event" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMP(3),

    CONSTRAINT "FleetNotification_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FleetDriverLease" (
    "name" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "durationMs" INTEGER NOT NULL,
    "acquiredAt" TIMESTAMP(3) NOT NULL,
    "renewedAt" TIMESTAMP(3) NOT NULL,
    "transitions" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "FleetDriverLease_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE UNIQUE INDEX "FleetExperiment_name_key" ON "FleetExperiment"("name");

-- CreateIndex
CREATE INDEX "FleetExperiment_settledAt_idx" ON "FleetExperiment"("settledAt");

-- CreateIndex
CREATE UNIQUE INDEX "FleetStep_commandId_key" ON "FleetStep"("commandId");

-- CreateIndex
CREATE INDEX "FleetNotification_status_id_idx" ON "FleetNotification"("status", "id");

-- CreateIndex
CREATE INDEX "FleetNotification_fleetExperimentId_id_idx" ON "FleetNotification"("fleetExperimentId", "id");

-- AddForeignKey
ALTER TABLE "FleetTarget" ADD CONSTRAINT "FleetTarget_fleetExperimentId_fkey" FOREIGN KEY ("fleetExperimentId") REFERENCES "FleetExperiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FleetStep" ADD CONSTRAINT "FleetStep_fleetExperimentId_fkey" FOREIGN KEY ("fleetExperimentId") REFERENCES "FleetExperiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FleetNotification" ADD CONSTRAINT "FleetNotification_fleetExperimentId_fkey" FOREIGN KEY ("fleetExperimentId") REFERENCES "FleetExperiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Row-level security of the new tables of cluster rows: the hub reaches every row, a
-- cluster's login its own cluster's. Grant fleetdeck_cluster what its controllers write here.
SELECT fleetdeck_cluster_rows('"FleetTarget"');
SELECT fleetdeck_cluster_rows('"FleetStep"');

-- Written by hand: the fleet experiments' tables are the hub's (the dashboard starts and steers a
-- fleet experiment, the fleet driver runs it; both log in as the hub). A cluster's controllers
-- never read or write them: they see a fleet experiment only as the commands the driver queues
-- for their cluster. So fleetdeck_cluster is granted nothing here (the tables' default
-- privileges go to fleetdeck_hub only), and every table keeps row-level security with the hub's
-- policy, so a grant added by mistake would still show a cluster no fleet experiment.
DO $$
DECLARE tbl text;
BEGIN
  FOREACH tbl IN ARRAY ARRAY['FleetExperiment', 'FleetNotification', 'FleetDriverLease'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', tbl);
    EXECUTE format('CREATE POLICY hub_rows ON %I TO fleetdeck_hub USING (true) WITH CHECK (true)', tbl);
  END LOOP;
END $$;
REVOKE ALL ON "FleetExperiment", "FleetTarget", "FleetStep", "FleetNotification", "FleetDriverLease"
  FROM fleetdeck_cluster;

-- A cluster's controllers keep their cluster's labels (FLEETDECK_CLUSTER_LABELS), which fleet
-- experiments select clusters by; Agent.labels comes with the Agent table's grant.
GRANT UPDATE ("labels") ON "Cluster" TO fleetdeck_cluster;
