-- CreateTable
CREATE TABLE "FleetExperiment" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
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
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "haltedAt" DATETIME,
    "settledAt" DATETIME
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
    "healthySince" DATETIME,
    "restoredAt" DATETIME,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("fleetExperimentId", "clusterId", "agentKey"),
    CONSTRAINT "FleetTarget_fleetExperimentId_fkey" FOREIGN KEY ("fleetExperimentId") REFERENCES "FleetExperiment" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "FleetStep" (
    "fleetExperimentId" INTEGER NOT NULL,
    "clusterId" TEXT NOT NULL,
    "agentKey" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "commandId" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("fleetExperimentId", "clusterId", "agentKey", "step"),
    CONSTRAINT "FleetStep_fleetExperimentId_fkey" FOREIGN KEY ("fleetExperimentId") REFERENCES "FleetExperiment" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "FleetNotification" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "fleetExperimentId" INTEGER NOT NULL,
    "event" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" DATETIME,
    CONSTRAINT "FleetNotification_fleetExperimentId_fkey" FOREIGN KEY ("fleetExperimentId") REFERENCES "FleetExperiment" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "FleetDriverLease" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "holder" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "durationMs" INTEGER NOT NULL,
    "acquiredAt" DATETIME NOT NULL,
    "renewedAt" DATETIME NOT NULL,
    "transitions" INTEGER NOT NULL DEFAULT 0
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Cluster" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "kubernetesVersion" TEXT NOT NULL,
    "apiServer" TEXT NOT NULL,
    "labels" TEXT NOT NULL DEFAULT '{}',
    "registeredAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Cluster" ("apiServer", "id", "kubernetesVersion", "name", "registeredAt", "updatedAt") SELECT "apiServer", "id", "kubernetesVersion", "name", "registeredAt", "updatedAt" FROM "Cluster";
DROP TABLE "Cluster";
ALTER TABLE "new_Cluster" RENAME TO "Cluster";
CREATE UNIQUE INDEX "Cluster_name_key" ON "Cluster"("name");
CREATE TABLE "new_Agent" (
    "clusterId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "uid" TEXT NOT NULL,
    "generation" INTEGER NOT NULL,
    "labels" TEXT NOT NULL DEFAULT '{}',
    "spec" TEXT NOT NULL,
    "currentRevision" TEXT,
    "previousRevision" TEXT,
    "experiment" TEXT NOT NULL DEFAULT 'null',
    "lastChange" TEXT,
    "lastChangeAt" DATETIME,
    "renderError" TEXT,
    "conditions" TEXT NOT NULL DEFAULT '[]',
    "ignoredFields" TEXT NOT NULL DEFAULT '[]',
    "reconciledAt" DATETIME NOT NULL,
    "deletedAt" DATETIME,

    PRIMARY KEY ("clusterId", "key")
);
INSERT INTO "new_Agent" ("clusterId", "conditions", "currentRevision", "deletedAt", "experiment", "generation", "ignoredFields", "key", "lastChange", "lastChangeAt", "name", "namespace", "previousRevision", "reconciledAt", "renderError", "spec", "uid") SELECT "clusterId", "conditions", "currentRevision", "deletedAt", "experiment", "generation", "ignoredFields", "key", "lastChange", "lastChangeAt", "name", "namespace", "previousRevision", "reconciledAt", "renderError", "spec", "uid" FROM "Agent";
DROP TABLE "Agent";
ALTER TABLE "new_Agent" RENAME TO "Agent";
CREATE INDEX "Agent_namespace_name_idx" ON "Agent"("namespace", "name");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

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

