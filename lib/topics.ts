/**
 * Topics of the change feed (the Change table). A writer records the topic of what it
 * changed; the dashboard's live stream tells browsers, which refetch the queries of that
 * topic. Both sides import these names so they cannot drift apart.
 */
export const TOPICS = {
  controller: "controller",
  commands: "commands",
  audit: "audit",
  agents: "agents",
  experiments: "experiments",
  revisions: "revisions",
  metadata: "metadata",
  spot: "spot",
  autoscaling: "autoscaling",
  /** A session ended (sign-out): live streams check theirs again. Never sent to browsers. */
  sessions: "sessions",
  /** Stored authorization answers changed (lib/access.ts). */
  access: "access",
  /** A fleet experiment, its clusters' states or its notifications changed. */
  fleetExperiments: "fleet-experiments",
} as const;

export type Topic = (typeof TOPICS)[keyof typeof TOPICS];
