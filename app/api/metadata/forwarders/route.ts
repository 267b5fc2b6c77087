import { withActor } from "@/server/auth";
import { listForwarders } from "@/server/queries/metadata";

export const dynamic = "force-dynamic";

/** Each forwarder's status as the leading controller last wrote it. */
export async function GET() {
  return withActor(async () => {
    return Response.json(await listForwarders());
  });
}
