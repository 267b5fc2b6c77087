-- AlterTable
ALTER TABLE "ControllerHeartbeat" ADD COLUMN "authorizationMode" TEXT;

