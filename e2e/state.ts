import fs from "node:fs";
import path from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { openDatabase, type Database } from "../lib/db/open";
import type { Provider } from "../lib/db/url";
import { STATE_DIR } from "../testing/paths";

/** What global setup started, for the specs (they run in other processes). */
export interface E2EState {
  baseURL: string;
  kubeconfig: string;
  /** The dashboard's and the controller's store: PostgreSQL when installed, else a SQLite file. */
  store: Provider;
  databaseUrl: string;
  controllerHealthURL: string;
  controllerEnv: Record<string, string>;
  /** The fake metadata intake the controller forwards to (GET /fakeintake/records). */
  fakeIntakeURL: string;
}

export const E2E_STATE_FILE = path.join(STATE_DIR, "e2e-state.json");

export function e2eState(): E2EState {
  return JSON.parse(fs.readFileSync(E2E_STATE_FILE, "utf8")) as E2EState;
}

export function e2eKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(e2eState().kubeconfig);
  return kc;
}

/** The shared stack's database, as a spec reads it (close it with $disconnect). */
export function e2eDatabase(): Promise<Database> {
  return openDatabase({ url: e2eState().databaseUrl });
}
