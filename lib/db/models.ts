// The store's row types. Both providers' clients are generated from prisma/models.prisma, so
// their model types are the same: SQLite's stand for both (see Database in ./open.ts).
export type {
  Agent,
  AgentRevision,
  AgentRollout,
  AuditEvent,
  AutoscalingGate,
  Cluster,
  Command,
  ControllerHeartbeat,
  Experiment,
  MetadataForwarder,
  MetadataSend,
  PodAutoscaler,
  PodAutoscalerProfile,
  SpotEvent,
  SpotWorkload,
} from "../../prisma/generated/sqlite/client";
