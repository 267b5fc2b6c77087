-- CreateTable
CREATE TABLE "AutoscalingGate" (
    "controllerId" TEXT NOT NULL PRIMARY KEY,
    "workloadEnabled" BOOLEAN NOT NULL,
    "podStoreEager" BOOLEAN NOT NULL,
    "open" BOOLEAN NOT NULL,
    "openedAt" DATETIME,
    "openedByKind" TEXT,
    "openedByName" TEXT,
    "podStoreStartedAt" DATETIME,
    "podCollectionSyncedAt" DATETIME,
    "podsCached" INTEGER NOT NULL,
    "podStoreBytes" INTEGER NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "PodAutoscaler" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "targetApiVersion" TEXT,
    "targetKind" TEXT NOT NULL,
    "targetName" TEXT NOT NULL,
    "mode" TEXT,
    "owner" TEXT,
    "minReplicas" INTEGER,
    "maxReplicas" INTEGER,
    "currentReplicas" INTEGER,
    "profile" TEXT,
    "conditions" TEXT NOT NULL DEFAULT '[]',
    "createdAt" DATETIME,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "PodAutoscalerProfile" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "mode" TEXT,
    "minReplicas" INTEGER,
    "maxReplicas" INTEGER,
    "templateHash" TEXT,
    "controlledAutoscalers" INTEGER,
    "conditions" TEXT NOT NULL DEFAULT '[]',
    "createdAt" DATETIME,
    "updatedAt" DATETIME NOT NULL
);

