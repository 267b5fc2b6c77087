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

/** Builds the bundle and its source map. */
export function buildController(): string {
  // Built in a directory of its own, then moved: a concurrent reader never sees half of it.
  const tmpDir = path.join(path.dirname(CONTROLLER_BUNDLE), `.build-${process.pid}`);
  const tmp = path.join(tmpDir, path.basename(CONTROLLER_BUNDLE));
  buildSync({
    entryPoints: [path.join(REPO_ROOT, "controller", "main.ts")],
    outfile: tmp,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    // Linked, not inline: the bundle stays small in memory. NODE_OPTIONS=--enable-source-maps
    // maps stack traces to the sources when debugging (it costs ~11 MB of heap, so not by default).
    sourcemap: "linked",
    logLevel: "warning",
  });
  fs.renameSync(`${tmp}.map`, `${CONTROLLER_BUNDLE}.map`);
  fs.renameSync(tmp, CONTROLLER_BUNDLE);
  fs.rmSync(tmpDir, { recursive: true, force: true });
  return CONTROLLER_BUNDLE;
}
