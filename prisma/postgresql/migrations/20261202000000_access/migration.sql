-- AlterTable
ALTER TABLE "Command" ADD COLUMN     "actorAuth" TEXT NOT NULL DEFAULT 'local',
ADD COLUMN     "identity" TEXT;

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "tokenKey" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AccessSubject" (
    "key" TEXT NOT NULL,
    "lastSeenAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AccessSubject_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "AccessCheck" (
    "clusterId" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "checkedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AccessCheck_pkey" PRIMARY KEY ("clusterId","subject")
);

-- CreateTable
CREATE TABLE "AccessAnswer" (
    "clusterId" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "verb" TEXT NOT NULL,
    "resource" TEXT NOT NULL,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "allowed" BOOLEAN NOT NULL,
    "reason" TEXT NOT NULL DEFAULT '',
    "checkedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AccessAnswer_pkey" PRIMARY KEY ("clusterId","subject","verb","resource","namespace","name")
);

-- CreateIndex
CREATE INDEX "Session_expiresAt_idx" ON "Session"("expiresAt");

