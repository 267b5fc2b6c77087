import "server-only";
import { insertCommand as insert, type InsertResult, type NewCommand } from "@/lib/db/commands";
import { getDb } from "./db";

export type { InsertResult, NewCommand };

export async function insertCommand(input: NewCommand): Promise<InsertResult> {
  return insert(await getDb(), input);
}
