// Bundles the controller into dist/controller.mjs (esbuild, npm packages left external), so it
// runs on plain node. Running it through tsx costs a second V8 isolate for tsx's off-thread module
// loader plus the transpiled sources: about 30–50 MB of RSS the controller has no use for.
// `npm run controller` (scripts/build-controller.ts), the tests, the demo, the benchmarks and
// the image all run this bundle.
import { buildSync } from "esbuild";
import fs from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "./paths";

// Inside the repository, so the bundle's bare imports resolve to <repo>/node_modules.
export const CONTROLLER_BUNDLE = path.join(REPO_ROOT, "dist", "controller.mjs");

/** Builds the bundle; written to a temporary file and renamed, so a concurrent reader never sees half of it. */
export function buildController(): string {
  fs.mkdirSync(path.dirname(CONTROLLER_BUNDLE), { recursive: true });
  const tmp = `${CONTROLLER_BUNDLE}.${process.pid}.tmp`;
  buildSync({
    entryPoints: [path.join(REPO_ROOT, "controller", "main.ts")],
    outfile: tmp,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    sourcemap: "inline",
    logLevel: "warning",
  });
  fs.renameSync(tmp, CONTROLLER_BUNDLE);
  return CONTROLLER_BUNDLE;
}
