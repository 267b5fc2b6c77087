// The local control plane's programs, built by hack/build.sh into a cache named after their
// versions.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "./paths";

export interface ControlPlaneBinaries {
  dir: string;
  kubeVersion: string;
  etcdVersion: string;
  kwokVersion: string;
}

const BINARIES = [
  "etcd",
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
  "kubectl",
  "kwok",
  "kwokctl",
];

/** Versions and cache directory, read through hack/versions.sh so go.mod stays the one source. */
export function controlPlaneBinaries(): ControlPlaneBinaries {
  const out = execFileSync(
    "bash",
    [
      "-c",
      `source "${REPO_ROOT}/hack/versions.sh" && printf '%s\\n' "$BIN_DIR" "$KUBE_VERSION" "$ETCD_VERSION" "$KWOK_VERSION"`,
    ],
    { encoding: "utf8" },
  ).trim();
  const [dir = "", kubeVersion = "", etcdVersion = "", kwokVersion = ""] = out.split("\n");
  return { dir, kubeVersion, etcdVersion, kwokVersion };
}

/** Throws the message users need when the binaries have not been built yet. */
export function assertBinariesBuilt(bins = controlPlaneBinaries()): void {
  const missing = BINARIES.filter((b) => !fs.existsSync(path.join(bins.dir, b)));
  if (missing.length > 0) {
    throw new Error(
      `the local control plane is not built (missing ${missing.join(", ")} in ${bins.dir}): run npm run cluster:build`,
    );
  }
}
