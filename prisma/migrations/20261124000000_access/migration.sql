-- Server-side sessions, stored authorization answers, and the actor's identity on commands
-- (issue 13). New Command columns are appended, so existing rows are kept as they are.
ALTER TABLE "Command" ADD COLUMN "actorAuth" TEXT NOT NULL DEFAULT 'local';
ALTER TABLE "Command" ADD COLUMN "identity" TEXT;

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "actor" TEXT NOT NULL,
    "tokenKey" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "AccessSubject" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "lastSeenAt" DATETIME NOT NULL,
    "checkedAt" DATETIME
);

-- CreateTable
CREATE TABLE "AccessAnswer" (
    "subject" TEXT NOT NULL,
    "verb" TEXT NOT NULL,
    "resource" TEXT NOT NULL,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "allowed" BOOLEAN NOT NULL,
    "reason" TEXT NOT NULL DEFAULT '',
    "checkedAt" DATETIME NOT NULL,

    PRIMARY KEY ("subject", "verb", "resource", "namespace", "name")
);

-- CreateIndex
CREATE INDEX "Session_expiresAt_idx" ON "Session"("expiresAt");
