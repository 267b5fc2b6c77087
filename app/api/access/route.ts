import { accessStatus } from "@/server/queries/access";
import { withScope } from "@/server/scope/request";

export const dynamic = "force-dynamic";

/** The clusters where the signed-in person's access is still being checked (they show nothing yet). */
export async function GET() {
  return withScope(async (scope) => Response.json(await accessStatus(scope)));
}
