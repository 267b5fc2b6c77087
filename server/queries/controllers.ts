import "server-only";
import type { ControllerHeartbeat } from "@/lib/db/models";
import type { ReadScope } from "../scope/read-scope";
import { toDto, type Dto } from "./dto";

export type ControllerDto = Dto<ControllerHeartbeat>;

/** Every controller that has reported, most recently seen first. */
export async function listControllers(scope: ReadScope): Promise<ControllerDto[]> {
  const rows = await scope.db.controllerHeartbeat.findMany({ orderBy: { lastSeenAt: "desc" }, take: 20 });
  return rows.map(toDto);
}
