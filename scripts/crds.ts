// npm run crds [-- --apply]: the datadog-operator CRDs fleetdeck works on, from the operator's Go
// module at the version hack/peer/go.mod pins (downloaded into the Go module cache the first
// time). Prints the version and the files; with --apply, applies them server-side (they are too
// large for client-side apply's annotation) and fleetdeck's namespace to the cluster of
// KUBECONFIG (default ~/.kube/config).
import { KubeConfig } from "@kubernetes/client-node";
import { installManifests } from "../testing/install-manifests";
import { fleetdeckManifests } from "../testing/local-cluster";
import { operatorCrdFiles, operatorModule, operatorModuleDir } from "../testing/operator-crds";

const mod = operatorModule();
const dir = operatorModuleDir(mod);
console.log(`${mod.module} ${mod.version} in ${dir}`);
for (const file of operatorCrdFiles("fleetdeck", dir)) console.log(`  ${file}`);

if (process.argv.includes("--apply")) {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  const applied = await installManifests(kc, fleetdeckManifests());
  console.log(`applied server-side to ${kc.getCurrentCluster()?.server} (${applied.length} other objects)`);
}
