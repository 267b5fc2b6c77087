import { withActor } from "@/server/auth";
import { listControllers } from "@/server/queries/controllers";

export const dynamic = "force-dynamic";

export async function GET() {
  return withActor(async () => Response.json(await listControllers()));
}
