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

