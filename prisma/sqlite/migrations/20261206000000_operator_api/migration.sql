-- AlterTable
ALTER TABLE "Experiment" ADD COLUMN "endReason" TEXT;
ALTER TABLE "Experiment" ADD COLUMN "healthGate" TEXT;
ALTER TABLE "Experiment" ADD COLUMN "landedAt" DATETIME;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Agent" (
    "clusterId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
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
    "conditions" TEXT NOT NULL DEFAULT '[]',
    "ignoredFields" TEXT NOT NULL DEFAULT '[]',
    "reconciledAt" DATETIME NOT NULL,
    "deletedAt" DATETIME,

    PRIMARY KEY ("clusterId", "key")
);
INSERT INTO "new_Agent" ("clusterId", "currentRevision", "deletedAt", "experiment", "generation", "key", "lastChange", "lastChangeAt", "name", "namespace", "previousRevision", "reconciledAt", "renderError", "spec", "uid") SELECT "clusterId", "currentRevision", "deletedAt", "experiment", "generation", "key", "lastChange", "lastChangeAt", "name", "namespace", "previousRevision", "reconciledAt", "renderError", "spec", "uid" FROM "Agent";
DROP TABLE "Agent";
ALTER TABLE "new_Agent" RENAME TO "Agent";
CREATE INDEX "Agent_namespace_name_idx" ON "Agent"("namespace", "name");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;


-- Experiments recorded with the phases of datadog-operator PR #2760, in today's operator's
-- phases (terminated + a reason) and fleetdeck's end reasons. A running experiment whose clock
-- had started had its candidate landed (the clock started at its first reconcile).
UPDATE "Experiment" SET "phase" = 'terminated', "endReason" = 'timed_out' WHERE "phase" = 'timeout';
UPDATE "Experiment" SET "phase" = 'terminated', "endReason" = CASE WHEN "reason" LIKE 'unhealthy%' THEN 'unhealthy' ELSE 'stopped' END WHERE "phase" = 'rollback';
UPDATE "Experiment" SET "endReason" = 'conflict' WHERE "phase" = 'aborted';
UPDATE "Experiment" SET "endReason" = 'promoted' WHERE "phase" = 'promoted';
UPDATE "Experiment" SET "landedAt" = "startedAt" WHERE "phase" = 'running' AND "startedAt" IS NOT NULL;
