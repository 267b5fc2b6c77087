import { withScope } from "@/server/scope/request";
import { listControllers } from "@/server/queries/controllers";

export const dynamic = "force-dynamic";

export async function GET() {
  return withScope(async (scope) => Response.json(await listControllers(scope)));
}
