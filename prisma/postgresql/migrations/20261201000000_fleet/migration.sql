-- CreateTable
CREATE TABLE "Cluster" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kubernetesVersion" TEXT NOT NULL,
    "apiServer" TEXT NOT NULL,
    "registeredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Cluster_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Command" (
    "id" SERIAL NOT NULL,
    "clusterId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "reason" TEXT,
    "source" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "message" TEXT,
    "claimedBy" TEXT,
    "claimedAt" TIMESTAMP(3),
    "appliedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Command_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" SERIAL NOT NULL,
    "clusterId" TEXT,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "targetKind" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "commandId" INTEGER,
    "details" TEXT NOT NULL DEFAULT '{}',
    "source" TEXT NOT NULL,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ControllerHeartbeat" (
    "controllerId" TEXT NOT NULL,
    "hostname" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "version" TEXT NOT NULL,
    "isLeader" BOOLEAN NOT NULL DEFAULT false,
    "clusterId" TEXT NOT NULL,
    "kubernetesVersion" TEXT NOT NULL,
    "apiServer" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "lastSeenAt" TIMESTAMP(3) NOT NULL,
    "stoppedAt" TIMESTAMP(3),

    CONSTRAINT "ControllerHeartbeat_pkey" PRIMARY KEY ("clusterId","controllerId")
);

-- CreateTable
CREATE TABLE "Change" (
    "id" SERIAL NOT NULL,
    "topic" TEXT NOT NULL,
    "key" TEXT NOT NULL DEFAULT '',
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Change_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MetadataSend" (
    "id" SERIAL NOT NULL,
    "clusterId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
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
    "latencyMs" DOUBLE PRECISION,
    "error" TEXT,

    CONSTRAINT "MetadataSend_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MetadataForwarder" (
    "clusterId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "message" TEXT NOT NULL DEFAULT '',
    "intakeUrl" TEXT NOT NULL,
    "controllerId" TEXT NOT NULL,
    "activeWatches" TEXT NOT NULL DEFAULT '[]',
    "deniedWatches" TEXT NOT NULL DEFAULT '[]',
    "queueDepth" INTEGER NOT NULL DEFAULT 0,
    "snapshots" INTEGER NOT NULL DEFAULT 0,
    "heartbeatSeconds" INTEGER NOT NULL,
    "lastHeartbeatAt" TIMESTAMP(3),
    "lastSendAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MetadataForwarder_pkey" PRIMARY KEY ("clusterId","name")
);

-- CreateTable
CREATE TABLE "SpotWorkload" (
    "clusterId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "optedIn" BOOLEAN NOT NULL DEFAULT true,
    "replicas" INTEGER,
    "percentage" INTEGER NOT NULL,
    "minOnDemand" INTEGER NOT NULL,
    "configError" TEXT,
    "spotPods" INTEGER NOT NULL,
    "onDemandPods" INTEGER NOT NULL,
    "pendingSpotPods" INTEGER NOT NULL,
    "oldestPendingAt" TIMESTAMP(3),
    "targetSpot" INTEGER NOT NULL,
    "targetOnDemand" INTEGER NOT NULL,
    "disabledUntil" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SpotWorkload_pkey" PRIMARY KEY ("clusterId","key")
);

-- CreateTable
CREATE TABLE "SpotEvent" (
    "id" SERIAL NOT NULL,
    "clusterId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "workloadKey" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "objectKind" TEXT NOT NULL,
    "objectName" TEXT NOT NULL,
    "message" TEXT NOT NULL,

    CONSTRAINT "SpotEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AutoscalingGate" (
    "clusterId" TEXT NOT NULL,
    "controllerId" TEXT NOT NULL,
    "workloadEnabled" BOOLEAN NOT NULL,
    "podStoreEager" BOOLEAN NOT NULL,
    "open" BOOLEAN NOT NULL,
    "openedAt" TIMESTAMP(3),
    "openedByKind" TEXT,
    "openedByName" TEXT,
    "podStoreStartedAt" TIMESTAMP(3),
    "podCollectionSyncedAt" TIMESTAMP(3),
    "podsCached" INTEGER NOT NULL,
    "podStoreBytes" INTEGER NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AutoscalingGate_pkey" PRIMARY KEY ("clusterId","controllerId")
);

-- CreateTable
CREATE TABLE "PodAutoscaler" (
    "clusterId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
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
    "createdAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PodAutoscaler_pkey" PRIMARY KEY ("clusterId","key")
);

-- CreateTable
CREATE TABLE "PodAutoscalerProfile" (
    "clusterId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "mode" TEXT,
    "minReplicas" INTEGER,
    "maxReplicas" INTEGER,
    "templateHash" TEXT,
    "controlledAutoscalers" INTEGER,
    "conditions" TEXT NOT NULL DEFAULT '[]',
    "createdAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PodAutoscalerProfile_pkey" PRIMARY KEY ("clusterId","name")
);

-- CreateTable
CREATE TABLE "Agent" (
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
    "lastChangeAt" TIMESTAMP(3),
    "renderError" TEXT,
    "reconciledAt" TIMESTAMP(3) NOT NULL,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "Agent_pkey" PRIMARY KEY ("clusterId","key")
);

-- CreateTable
CREATE TABLE "AgentRevision" (
    "id" SERIAL NOT NULL,
    "clusterId" TEXT NOT NULL,
    "agentKey" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "spec" TEXT NOT NULL,
    "specRedacted" BOOLEAN NOT NULL DEFAULT false,
    "cause" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "experimentId" TEXT,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "inCluster" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "AgentRevision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Experiment" (
    "id" SERIAL NOT NULL,
    "clusterId" TEXT NOT NULL,
    "agentKey" TEXT NOT NULL,
    "experimentId" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "config" TEXT NOT NULL,
    "timeoutSeconds" INTEGER NOT NULL,
    "baselineRevision" TEXT NOT NULL,
    "candidateRevision" TEXT NOT NULL,
    "phase" TEXT NOT NULL,
    "outcome" TEXT,
    "reason" TEXT,
    "endedBy" TEXT,
    "requestedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "endedAt" TIMESTAMP(3),

    CONSTRAINT "Experiment_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Cluster_name_key" ON "Cluster"("name");

-- CreateIndex
CREATE INDEX "Command_clusterId_status_id_idx" ON "Command"("clusterId", "status", "id");

-- CreateIndex
CREATE INDEX "AuditEvent_actor_id_idx" ON "AuditEvent"("actor", "id");

-- CreateIndex
CREATE INDEX "AuditEvent_action_id_idx" ON "AuditEvent"("action", "id");

-- CreateIndex
CREATE INDEX "AuditEvent_target_id_idx" ON "AuditEvent"("target", "id");

-- CreateIndex
CREATE INDEX "AuditEvent_at_idx" ON "AuditEvent"("at");

-- CreateIndex
CREATE INDEX "AuditEvent_clusterId_id_idx" ON "AuditEvent"("clusterId", "id");

-- CreateIndex
CREATE INDEX "Change_at_idx" ON "Change"("at");

-- CreateIndex
CREATE INDEX "MetadataSend_at_idx" ON "MetadataSend"("at");

-- CreateIndex
CREATE INDEX "MetadataSend_clusterId_id_idx" ON "MetadataSend"("clusterId", "id");

-- CreateIndex
CREATE INDEX "MetadataSend_clusterId_forwarder_kind_object_id_idx" ON "MetadataSend"("clusterId", "forwarder", "kind", "object", "id");

-- CreateIndex
CREATE INDEX "MetadataSend_status_id_idx" ON "MetadataSend"("status", "id");

-- CreateIndex
CREATE INDEX "SpotEvent_clusterId_workloadKey_id_idx" ON "SpotEvent"("clusterId", "workloadKey", "id");

-- CreateIndex
CREATE INDEX "SpotEvent_at_idx" ON "SpotEvent"("at");

-- CreateIndex
CREATE INDEX "Agent_namespace_name_idx" ON "Agent"("namespace", "name");

-- CreateIndex
CREATE INDEX "AgentRevision_clusterId_agentKey_id_idx" ON "AgentRevision"("clusterId", "agentKey", "id");

-- CreateIndex
CREATE INDEX "AgentRevision_clusterId_agentKey_name_idx" ON "AgentRevision"("clusterId", "agentKey", "name");

-- CreateIndex
CREATE INDEX "Experiment_clusterId_agentKey_id_idx" ON "Experiment"("clusterId", "agentKey", "id");

-- CreateIndex
CREATE INDEX "Experiment_requestedAt_idx" ON "Experiment"("requestedAt");

