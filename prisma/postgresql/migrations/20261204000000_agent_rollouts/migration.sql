-- CreateTable
CREATE TABLE "AgentRollout" (
    "clusterId" TEXT NOT NULL,
    "agentKey" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "rollout" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AgentRollout_pkey" PRIMARY KEY ("clusterId","agentKey")
);

