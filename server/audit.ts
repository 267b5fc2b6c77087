import "server-only";
import { withRetry } from "@/lib/db/open";
import { TOPICS } from "@/lib/topics";
import { getDb } from "./db";

/** An audit row written by the dashboard itself (sign-ins), with its change-feed row. */
export async function recordWebAudit(entry: {
  actor: string;
  action: string;
  targetKind: string;
  target: string;
  details?: Record<string, unknown>;
}): Promise<void> {
  const db = await getDb();
  await withRetry(() =>
    db.$transaction([
      db.auditEvent.create({
        data: { ...entry, details: JSON.stringify(entry.details ?? {}), source: "web" },
      }),
      db.change.create({ data: { topic: TOPICS.audit } }),
    ]),
  );
}
