// The datadog-operator's CRDs and examples: fleetdeck works on the operator's own API, read from
// its Go module at the version hack/peer/go.mod pins (the one source; the benchmark peer is built
// from the same module). The module lives in the Go module cache, outside this repository, and
// is downloaded through the module proxy the first time (`npm run crds`). Used by the local
// cluster, the demo, the tests and the benchmarks.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "./paths";

const PEER_DIR = path.join(REPO_ROOT, "hack/peer");

/**
 * The CRDs fleetdeck watches or writes, by file name stem, out of the operator's list
 * (config/crd/kustomization.yaml): the DatadogAgent and its siblings the metadata forwarder
 * sends, and the two autoscaling kinds whose first object opens the pod-watch gate.
 */
export const FLEETDECK_CRDS = [
  "datadogagents",
  "datadogagentinternals",
  "datadogagentprofiles",
  "datadogpodautoscalers",
  "datadogpodautoscalerclusterprofiles",
] as const;

export interface OperatorModule {
  module: string;
  version: string;
  /** The Go toolchain the module's go.mod asks for (fetched by the go command when missing). */
  toolchain: string;
}

/** Module path, version and toolchain, read through hack/peer/versions.sh (go.mod is the one source). */
export function operatorModule(): OperatorModule {
  const out = execFileSync(
    "bash",
    [
      "-c",
      `source "${PEER_DIR}/versions.sh" && printf '%s\\n' "$PEER_MODULE" "$PEER_VERSION" "$PEER_GOTOOLCHAIN"`,
    ],
    { encoding: "utf8" },
  ).trim();
  const [module = "", version = "", toolchain = ""] = out.split("\n");
  return { module, version, toolchain };
}

const dirs = new Map<string, string>();

/** The module's directory in the Go module cache, downloaded from the module proxy when missing. */
export function operatorModuleDir(mod = operatorModule()): string {
  const id = `${mod.module}@${mod.version}`;
  const known = dirs.get(id);
  if (known) return known;
  let out: string;
  try {
    out = execFileSync("go", ["mod", "download", "-json", id], {
      cwd: PEER_DIR,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, GOTOOLCHAIN: mod.toolchain, GOFLAGS: "-mod=readonly" },
    });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (e.code === "ENOENT") {
      throw new Error(
        `the datadog-operator's CRDs come from its Go module ${id}, which needs Go to download (see the README's prerequisites)`,
      );
    }
    // go mod download -json reports the module's error in its JSON, on stdout.
    out = e.stdout ?? "";
    if (!out.trim()) throw new Error(`go mod download ${id}: ${e.stderr?.trim() || e.message}`);
  }
  const info = JSON.parse(out) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new Error(`go mod download ${id}: ${info.Error ?? "no directory"}`);
  dirs.set(id, info.Dir);
  return info.Dir;
}

/**
 * The CRD manifests the operator ships, as its config/crd/kustomization.yaml lists them
 * (conversion webhooks off, as shipped): fleetdeck's by default, or every one of them.
 */
export function operatorCrdFiles(
  which: "fleetdeck" | "all" = "fleetdeck",
  moduleDir = operatorModuleDir(),
): string[] {
  const crdDir = path.join(moduleDir, "config/crd");
  const kustomization = fs.readFileSync(path.join(crdDir, "kustomization.yaml"), "utf8");
  const listed = [...kustomization.matchAll(/^\s*-\s*(bases\/\S+\.yaml)\s*$/gm)].map((m) =>
    path.join(crdDir, m[1]!),
  );
  if (which === "all") {
    if (listed.length === 0) throw new Error(`no CRD listed in ${crdDir}/kustomization.yaml`);
    return listed;
  }
  return FLEETDECK_CRDS.map((plural) => {
    const file = listed.find((f) => path.basename(f) === `datadoghq.com_${plural}.yaml`);
    if (!file) throw new Error(`the operator module ${moduleDir} ships no CRD for ${plural}`);
    return file;
  });
}

/** The DatadogAgent manifests the operator publishes (examples/datadogagent/*.yaml). */
export function operatorExampleFiles(moduleDir = operatorModuleDir()): string[] {
  const dir = path.join(moduleDir, "examples/datadogagent");
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}
