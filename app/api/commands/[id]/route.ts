import { scopeOrApiToken } from "@/server/scope/request";
import { getCommand } from "@/server/queries/commands";

export const dynamic = "force-dynamic";

/** A command's status and outcome, for the dashboard and for the signal's caller (statusUrl). */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const scope = await scopeOrApiToken(request);
  if (!scope) {
    return Response.json({ error: "unauthenticated: sign in or send the API bearer token" }, { status: 401 });
  }
  const { id } = await params;
  if (!/^\d+$/.test(id)) return Response.json({ error: "command id must be a number" }, { status: 400 });
  const command = await getCommand(scope, Number(id));
  if (!command) return Response.json({ error: `no command ${id}` }, { status: 404 });
  return Response.json(command);
}
