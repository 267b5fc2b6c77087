-- CreateTable
CREATE TABLE "AgentRollout" (
    "agentKey" TEXT NOT NULL PRIMARY KEY,
    "state" TEXT NOT NULL,
    "rollout" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

