// The benchmark peer: datadog-operator's manager built from its Go module (hack/peer/build.sh),
// the module whose CRDs fleetdeck installs (testing/operator-crds.ts). Only benchmarks run it;
// nothing of the operator is kept in this repository.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { operatorModule, type OperatorModule } from "../../testing/operator-crds";
import { REPO_ROOT } from "../../testing/paths";

const PEER_DIR = path.join(REPO_ROOT, "hack/peer");

export interface PeerBuild extends OperatorModule {
  binary: string;
}

/** Version, toolchain and binary path, read through hack/peer/versions.sh (go.mod is the one source). */
export function peerBuild(): PeerBuild {
  const binary = execFileSync(
    "bash",
    ["-c", `source "${PEER_DIR}/versions.sh" && printf '%s' "$PEER_BINARY"`],
    {
      encoding: "utf8",
    },
  );
  return { ...operatorModule(), binary };
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
