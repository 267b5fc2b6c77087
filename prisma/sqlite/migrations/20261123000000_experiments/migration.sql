-- CreateTable
CREATE TABLE "Agent" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "uid" TEXT NOT NULL,
    "generation" INTEGER NOT NULL,
    "spec" TEXT NOT NULL,
    "currentRevision" TEXT,
    "previousRevision" TEXT,
    "experiment" TEXT NOT NULL DEFAULT 'null',
    "lastChange" TEXT,
    "lastChangeAt" DATETIME,
    "renderError" TEXT,
    "reconciledAt" DATETIME NOT NULL,
    "deletedAt" DATETIME
);

-- CreateTable
CREATE TABLE "AgentRevision" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "agentKey" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "spec" TEXT NOT NULL,
    "specRedacted" BOOLEAN NOT NULL DEFAULT false,
    "cause" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "experimentId" TEXT,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "inCluster" BOOLEAN NOT NULL DEFAULT true
);

-- CreateTable
CREATE TABLE "Experiment" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "agentKey" TEXT NOT NULL,
    "experimentId" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "config" TEXT NOT NULL,
    "timeoutSeconds" INTEGER NOT NULL,
    "baselineRevision" TEXT NOT NULL,
    "candidateRevision" TEXT NOT NULL,
    "phase" TEXT NOT NULL,
    "outcome" TEXT,
    "reason" TEXT,
    "endedBy" TEXT,
    "requestedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" DATETIME,
    "endedAt" DATETIME
);

-- CreateIndex
CREATE INDEX "Agent_namespace_name_idx" ON "Agent"("namespace", "name");

-- CreateIndex
CREATE INDEX "AgentRevision_agentKey_id_idx" ON "AgentRevision"("agentKey", "id");

-- CreateIndex
CREATE INDEX "AgentRevision_agentKey_name_idx" ON "AgentRevision"("agentKey", "name");

-- CreateIndex
CREATE INDEX "Experiment_agentKey_id_idx" ON "Experiment"("agentKey", "id");

-- CreateIndex
CREATE INDEX "Experiment_requestedAt_idx" ON "Experiment"("requestedAt");

