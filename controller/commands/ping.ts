import os from "node:os";
import type { CommandHandler } from "./registry";

/** The smallest round trip through the whole contract: the leader answers with who it is. */
export function pingHandler(controllerId: string): CommandHandler<"ping"> {
  return async (payload) => ({
    status: "applied",
    message: `pong from ${controllerId} on ${os.hostname()}${payload.note ? ` (${payload.note})` : ""}`,
  });
}
