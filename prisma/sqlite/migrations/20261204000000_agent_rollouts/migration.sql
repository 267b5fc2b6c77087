-- CreateTable
CREATE TABLE "AgentRollout" (
    "clusterId" TEXT NOT NULL,
    "agentKey" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "rollout" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("clusterId", "agentKey")
);

