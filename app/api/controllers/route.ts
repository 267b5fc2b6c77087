import { listControllers } from "@/server/queries/controllers";

export const dynamic = "force-dynamic";

export async function GET() {
  return Response.json(await listControllers());
}
