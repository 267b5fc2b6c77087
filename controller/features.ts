// Every feature of the controller, in the order it is wired (and its runnables start): main.ts
// and the in-process tests (test/controller.ts) call the same setupFeatures.
import { allowEveryone } from "./access/authorizer";
import { setupAccess } from "./access/setup";
import { setupAgents } from "./agents/setup";
import { setupAutoscalers } from "./autoscaling/autoscalers/setup";
import { setupSpot } from "./autoscaling/spot/setup";
import { setupCommands } from "./commands/setup";
import type { ControllerContext } from "./context";
import type { MetadataForwarding } from "./metadata/forwarding";
import { setupMetadata } from "./metadata/setup";
import { setupStore } from "./store/setup";

export const FEATURES = ["store", "agents", "spot", "autoscaling", "metadata", "access", "commands"] as const;
export type Feature = (typeof FEATURES)[number];

/** What tests reach into once the features run. */
export interface Features {
  metadata?: MetadataForwarding;
}

/** Wires every feature (or only `features`) into ctx.manager. */
export function setupFeatures(ctx: ControllerContext, features: readonly Feature[] = FEATURES): Features {
  const on = (feature: Feature) => features.includes(feature);
  if (on("store")) setupStore(ctx);
  if (on("agents")) setupAgents(ctx);
  if (on("spot")) setupSpot(ctx);
  if (on("autoscaling")) setupAutoscalers(ctx);
  const metadata = on("metadata") ? setupMetadata(ctx) : undefined;
  const authorize = on("access") ? setupAccess(ctx) : allowEveryone;
  // Last, so a command is applied only once every feature's handlers and caches are in place.
  if (on("commands")) setupCommands(ctx, authorize);
  return { metadata };
}
