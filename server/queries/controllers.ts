import "server-only";
import type { ControllerHeartbeat } from "@/lib/db/models";
import { getDb } from "../db";
import { toDto, type Dto } from "./dto";

export type ControllerDto = Dto<ControllerHeartbeat>;

/** Every controller that has reported, most recently seen first. */
export async function listControllers(): Promise<ControllerDto[]> {
  const db = await getDb();
  const rows = await db.controllerHeartbeat.findMany({ orderBy: { lastSeenAt: "desc" }, take: 20 });
  return rows.map(toDto);
}
