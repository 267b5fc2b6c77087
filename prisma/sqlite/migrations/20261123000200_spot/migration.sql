-- CreateTable
CREATE TABLE "SpotWorkload" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "optedIn" BOOLEAN NOT NULL DEFAULT true,
    "replicas" INTEGER,
    "percentage" INTEGER NOT NULL,
    "minOnDemand" INTEGER NOT NULL,
    "configError" TEXT,
    "spotPods" INTEGER NOT NULL,
    "onDemandPods" INTEGER NOT NULL,
    "pendingSpotPods" INTEGER NOT NULL,
    "oldestPendingAt" DATETIME,
    "targetSpot" INTEGER NOT NULL,
    "targetOnDemand" INTEGER NOT NULL,
    "disabledUntil" DATETIME,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "SpotEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "at" DATETIME NOT NULL,
    "workloadKey" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "objectKind" TEXT NOT NULL,
    "objectName" TEXT NOT NULL,
    "message" TEXT NOT NULL
);

-- CreateIndex
CREATE INDEX "SpotEvent_workloadKey_id_idx" ON "SpotEvent"("workloadKey", "id");

-- CreateIndex
CREATE INDEX "SpotEvent_at_idx" ON "SpotEvent"("at");

