// The controller in the test process, wired by the same setupFeatures as main.ts (only the
// features a test asks for; the manager leads without a Lease), against the run's real cluster
// and a real database.
import type { KubeConfig } from "@kubernetes/client-node";
import { loadControllerConfig } from "../controller/config";
import { createContext, createManager, type ControllerContext } from "../controller/context";
import { setupFeatures, type Feature, type Features } from "../controller/features";
import { KubeClient } from "../controller/kube/client";
import type { Database } from "../lib/db/open";
import { registeredCluster } from "./cluster";
import { testLogger } from "./harness";

export interface ControllerUnderTest {
  ctx: ControllerContext;
  features: Features;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** The controller's configuration (FLEETDECK_CONTROLLER_ID defaults to "controller-test"). */
  env?: Record<string, string>;
  /** The credentials the cluster's identity is read with (default: the controller's own). */
  identityKc?: KubeConfig;
}

/** Runs `features` as the controller with the credentials of `kc` runs them; stop() stops it. */
export async function startFeatures(
  kc: KubeConfig,
  db: Database,
  features: readonly Feature[],
  { env = {}, identityKc = kc }: StartOptions = {},
): Promise<ControllerUnderTest> {
  const cluster = await registeredCluster(db, identityKc);
  const config = loadControllerConfig(
    { FLEETDECK_CONTROLLER_ID: "controller-test", ...env, FLEETDECK_LEADER_ELECT: "false" },
    [],
  );
  const client = new KubeClient(kc, `fleetdeck-controller/test ${config.FLEETDECK_CONTROLLER_ID}`);
  const manager = createManager(config, client, testLogger());
  const ctx = createContext({ config, manager, db, cluster });
  const handles = setupFeatures(ctx, features);
  await manager.start();
  return {
    ctx,
    features: handles,
    async stop() {
      await manager.stop();
      client.close();
    },
  };
}
