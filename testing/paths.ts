// Where this checkout lives and where it keeps its local state.
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** Local state of this checkout (kubeconfigs, kwok work directory, SQLite file); git-ignored. */
export const STATE_DIR = process.env.FLEETDECK_HOME ?? path.join(REPO_ROOT, ".fleetdeck");
