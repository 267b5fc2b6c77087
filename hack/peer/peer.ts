// The benchmark peer: datadog-operator's manager built from its Go module (hack/peer/build.sh)
// and the CRDs it ships, read from that same module in the Go module cache. Only benchmarks
// use it; nothing of the operator is kept in this repository.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../../testing/paths";

const PEER_DIR = path.join(REPO_ROOT, "hack/peer");

export interface PeerBuild {
  module: string;
  version: string;
  toolchain: string;
  binary: string;
}

/** Version, toolchain and binary path, read through hack/peer/versions.sh (go.mod is the one source). */
export function peerBuild(): PeerBuild {
  const out = execFileSync(
    "bash",
    [
      "-c",
      `source "${PEER_DIR}/versions.sh" && printf '%s\\n' "$PEER_MODULE" "$PEER_VERSION" "$PEER_GOTOOLCHAIN" "$PEER_BINARY"`,
    ],
    { encoding: "utf8" },
  ).trim();
  const [module = "", version = "", toolchain = "", binary = ""] = out.split("\n");
  return { module, version, toolchain, binary };
}

/** Builds the peer unless it is cached (hack/peer/build.sh); its output goes to `log`. */
export function ensurePeerBuilt(log: (line: string) => void = console.log): PeerBuild {
  const build = peerBuild();
  if (fs.existsSync(build.binary)) return build;
  log(`datadog-operator ${build.version} is not built yet: running hack/peer/build.sh (many minutes cold)`);
  const started = Date.now();
  execFileSync(path.join(PEER_DIR, "build.sh"), { stdio: ["ignore", "inherit", "inherit"] });
  log(`datadog-operator ${build.version} built in ${Math.round((Date.now() - started) / 1000)} s`);
  return build;
}

/** The module's directory in the Go module cache (downloaded from the proxy if needed). */
export function peerModuleDir(build = peerBuild()): string {
  const out = execFileSync("go", ["mod", "download", "-json", `${build.module}@${build.version}`], {
    cwd: PEER_DIR,
    encoding: "utf8",
    env: { ...process.env, GOTOOLCHAIN: build.toolchain, GOFLAGS: "-mod=readonly" },
  });
  const info = JSON.parse(out) as { Dir?: string; Error?: string };
  if (!info.Dir)
    throw new Error(`go mod download ${build.module}@${build.version}: ${info.Error ?? "no Dir"}`);
  return info.Dir;
}

/** The CRD manifests the operator ships (config/crd/kustomization.yaml's resources, webhooks off). */
export function peerCrdFiles(moduleDir = peerModuleDir()): string[] {
  const crdDir = path.join(moduleDir, "config/crd");
  const kustomization = fs.readFileSync(path.join(crdDir, "kustomization.yaml"), "utf8");
  const files = [...kustomization.matchAll(/^\s*-\s*(bases\/\S+\.yaml)\s*$/gm)].map((m) =>
    path.join(crdDir, m[1]!),
  );
  if (files.length === 0) throw new Error(`no CRD listed in ${crdDir}/kustomization.yaml`);
  return files;
}
