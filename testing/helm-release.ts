// Helm releases as Helm stores them, for the demo and the metadata forwarding tests.
import type { V1Secret } from "@kubernetes/client-node";
import { encodeHelmRelease } from "../controller/metadata/helm-release";

/** A Helm 3 release as Helm stores it in a Secret (type helm.sh/release.v1). */
export function helmReleaseSecret(options: {
  namespace: string;
  release: string;
  revision: number;
  chart?: string;
  chartVersion?: string;
  status?: string;
  values?: Record<string, unknown>;
  defaults?: Record<string, unknown>;
  /** Replaces the encoded release (corrupt data). */
  rawRelease?: string;
}): V1Secret {
  const chart = options.chart ?? "datadog";
  const status = options.status ?? "deployed";
  const helmText =
    options.rawRelease ??
    encodeHelmRelease({
      name: options.release,
      namespace: options.namespace,
      version: options.revision,
      info: { status },
      config: options.values ?? {},
      chart: {
        metadata: { name: chart, version: options.chartVersion ?? "3.70.0", appVersion: "7.55.0" },
        values: options.defaults ?? { datadog: { site: "datadoghq.com", apiKey: "" } },
      },
    });
  return {
    metadata: {
      name: `sh.helm.release.v1.${options.release}.v${options.revision}`,
      namespace: options.namespace,
      labels: { owner: "helm", name: options.release, status, version: String(options.revision) },
    },
    type: "helm.sh/release.v1",
    data: { release: Buffer.from(helmText).toString("base64") },
  };
}
