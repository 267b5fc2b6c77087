import "server-only";
import type { Json } from "@/lib/merge-patch";
import { redactSecrets } from "@/lib/redact";
import { specColumn } from "@/lib/read-model/agents";
import type { AgentRevision } from "@/lib/db/models";
import type { ReadScope } from "../scope/read-scope";
import { toDto, type Dto } from "./dto";

export interface RevisionDto extends Omit<Dto<AgentRevision>, "agentKey" | "spec" | "clusterId"> {
  /** The defaulted spec of the revision (literal secrets redacted). */
  spec: Json;
}

/** The agent's revision history, newest first. */
export async function listRevisions(
  scope: ReadScope,
  clusterId: string,
  agentKey: string,
  limit = 200,
): Promise<RevisionDto[]> {
  const rows = await scope.db.agentRevision.findMany({
    where: { clusterId, agentKey },
    omit: { agentKey: true, clusterId: true },
    orderBy: { id: "desc" },
    take: limit,
  });
  // Redacted again when shown: rows written before the one redactor had a narrower one.
  return rows.map((r) => ({ ...toDto(r), spec: redactSecrets(specColumn.decode(r.spec)) }));
}
