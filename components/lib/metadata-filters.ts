import { z } from "zod";
import { FORWARDERS, METADATA_KINDS, SEND_REASONS, SEND_STATUSES } from "@/lib/metadata";
import { clusterParam, flattenParams } from "./search-params";

/** Filters of the metadata send log, shared by the page and its API route. Bad values are dropped. */
export const metadataFiltersSchema = z.object({
  /** A cluster's display name (or id). */
  cluster: clusterParam,
  forwarder: z.enum(FORWARDERS).optional().catch(undefined),
  kind: z.enum(METADATA_KINDS).optional().catch(undefined),
  /** Substring of "namespace/name". */
  object: z.string().trim().max(317).optional().catch(undefined),
  status: z.enum(SEND_STATUSES).optional().catch(undefined),
  reason: z.enum(SEND_REASONS).optional().catch(undefined),
});

export type MetadataFilters = z.infer<typeof metadataFiltersSchema>;

export function parseMetadataFilters(params: Record<string, string | string[] | undefined>): MetadataFilters {
  return metadataFiltersSchema.parse(flattenParams(params));
}
