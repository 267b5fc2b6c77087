-- AlterTable
ALTER TABLE "Agent" ADD COLUMN     "conditions" TEXT NOT NULL DEFAULT '[]',
ADD COLUMN     "ignoredFields" TEXT NOT NULL DEFAULT '[]';

-- AlterTable
ALTER TABLE "Experiment" ADD COLUMN     "endReason" TEXT,
ADD COLUMN     "healthGate" TEXT,
ADD COLUMN     "landedAt" TIMESTAMP(3);


-- Experiments recorded with the phases of datadog-operator PR #2760, in today's operator's
-- phases (terminated + a reason) and fleetdeck's end reasons. A running experiment whose clock
-- had started had its candidate landed (the clock started at its first reconcile).
UPDATE "Experiment" SET "phase" = 'terminated', "endReason" = 'timed_out' WHERE "phase" = 'timeout';
UPDATE "Experiment" SET "phase" = 'terminated', "endReason" = CASE WHEN "reason" LIKE 'unhealthy%' THEN 'unhealthy' ELSE 'stopped' END WHERE "phase" = 'rollback';
UPDATE "Experiment" SET "endReason" = 'conflict' WHERE "phase" = 'aborted';
UPDATE "Experiment" SET "endReason" = 'promoted' WHERE "phase" = 'promoted';
UPDATE "Experiment" SET "landedAt" = "startedAt" WHERE "phase" = 'running' AND "startedAt" IS NOT NULL;
