import { requireActor } from "@/server/auth";
import { listForwarders } from "@/server/queries/metadata";

export const dynamic = "force-dynamic";

/** Each forwarder's status as the leading controller last wrote it. */
export async function GET() {
  try {
    await requireActor();
  } catch (error) {
    return Response.json({ error: (error as Error).message }, { status: 401 });
  }
  return Response.json(await listForwarders());
}
