-- CreateTable
CREATE TABLE "MetadataSend" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "forwarder" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "object" TEXT NOT NULL,
    "revision" INTEGER,
    "reason" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL DEFAULT 1,
    "payload" TEXT NOT NULL,
    "sizeBytes" INTEGER NOT NULL,
    "httpStatus" INTEGER,
    "latencyMs" REAL,
    "error" TEXT
);

-- CreateTable
CREATE TABLE "MetadataForwarder" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "state" TEXT NOT NULL,
    "message" TEXT NOT NULL DEFAULT '',
    "intakeUrl" TEXT NOT NULL,
    "controllerId" TEXT NOT NULL,
    "activeWatches" TEXT NOT NULL DEFAULT '[]',
    "deniedWatches" TEXT NOT NULL DEFAULT '[]',
    "queueDepth" INTEGER NOT NULL DEFAULT 0,
    "snapshots" INTEGER NOT NULL DEFAULT 0,
    "heartbeatSeconds" INTEGER NOT NULL,
    "lastHeartbeatAt" DATETIME,
    "lastSendAt" DATETIME,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "MetadataSend_at_idx" ON "MetadataSend"("at");

-- CreateIndex
CREATE INDEX "MetadataSend_forwarder_kind_object_id_idx" ON "MetadataSend"("forwarder", "kind", "object", "id");

-- CreateIndex
CREATE INDEX "MetadataSend_status_id_idx" ON "MetadataSend"("status", "id");

