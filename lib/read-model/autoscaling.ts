// The autoscalers' read model rows as the controller projects them (Prisma's types,
// prisma/models.prisma, without the time of the write) and the encoding of their conditions:
// written by controller/autoscaling/autoscalers/read-model.ts, read by server/queries/autoscaling.ts.
import type { PodAutoscaler, PodAutoscalerProfile } from "../db/models";
import type { Condition } from "../autoscaling";
import type { JsonColumn } from "./json-column";

/** The rows without their cluster, which the writer adds. */
export type AutoscalerRow = Omit<PodAutoscaler, "updatedAt" | "clusterId">;
export type ProfileRow = Omit<PodAutoscalerProfile, "updatedAt" | "clusterId">;

/**
 * PodAutoscaler.conditions and PodAutoscalerProfile.conditions: status.conditions with only
 * the fields the dashboard shows; a column that does not decode reads as no condition.
 */
export const conditionsColumn: JsonColumn<Condition[]> = {
  encode: (list) =>
    JSON.stringify(
      list.map(({ type, status, reason, message, lastTransitionTime }) => ({
        type,
        status,
        reason,
        message,
        lastTransitionTime,
      })),
    ),
  decode: (text) => {
    try {
      const list = JSON.parse(text) as unknown;
      return Array.isArray(list) ? (list as Condition[]) : [];
    } catch {
      return [];
    }
  },
};
