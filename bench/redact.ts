// The one redactor (lib/redact.ts) on a 1 MB Helm values document, as the Helm forwarder hands
// it over (parsed values), and on the same document as one YAML string (a values file inside a
// ConfigMap or a check config). No cluster: the redactor is pure. values_ms and yaml_ms are
// medians of 15 runs after 3 warm-up runs; found is how many secrets each run reports.
import YAML from "yaml";
import { redact } from "../lib/redact";
import { median, percentile } from "./stats";
import type { BenchResult } from "./types";

const TARGET_BYTES = 1024 * 1024;
const RUNS = 15;

/** One agent's worth of datadog chart values: mostly settings, a few secrets and references. */
function section(i: number): Record<string, unknown> {
  return {
    datadog: {
      site: "datadoghq.com",
      clusterName: `cluster-${i}`,
      apiKeyExistingSecret: "datadog-secret",
      logLevel: "info",
      tags: [`team:core-${i}`, "env:prod", `service:svc-${i}`],
      kubelet: { tlsVerify: false, host: { valueFrom: { fieldRef: { fieldPath: "status.hostIP" } } } },
      env: [
        { name: "DD_ENV", value: "prod" },
        { name: "DD_TAGS", value: `owner:team-${i} tier:backend` },
        { name: "DD_DB_PASSWORD", value: `placeholder-password-${i}` },
      ],
      confd: {
        "postgres.yaml": `init_config:\ninstances:\n  - host: db-${i}.internal\n    port: 5432\n    username: datadog\n    password: "%%env_PG_PASSWORD%%"\n    dbname: app\n    tags:\n      - db:app-${i}\n`,
        "http_check.yaml": `instances:\n  - name: health-${i}\n    url: https://svc-${i}.internal/healthz\n    timeout: 5\n`,
      },
      apm: { portEnabled: true, socketPath: "/var/run/datadog/apm.socket" },
      logs: { enabled: true, containerCollectAll: true },
      processAgent: { enabled: true, processCollection: false },
      networkMonitoring: { enabled: false },
      securityAgent: { compliance: { enabled: false }, runtime: { enabled: false } },
    },
    clusterAgent: {
      enabled: true,
      replicas: 2,
      tokenExistingSecret: "datadog-cluster-agent-token",
      metricsProvider: { enabled: true, useDatadogMetrics: true },
      resources: { requests: { cpu: "200m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
      nodeSelector: { "kubernetes.io/os": "linux" },
      tolerations: [{ key: "dedicated", operator: "Equal", value: "monitoring", effect: "NoSchedule" }],
      command: ["datadog-cluster-agent", "start", `--cluster-name=cluster-${i}`],
    },
    agents: {
      image: { repository: "gcr.io/datadoghq/agent", tag: "7.60.0", pullPolicy: "IfNotPresent" },
      containers: {
        agent: { env: [{ name: "DD_KUBERNETES_KUBELET_NODENAME", value: "$(NODE_NAME)" }] },
      },
      podAnnotations: { "checksum/config": "0123456789abcdef0123456789abcdef01234567" },
    },
  };
}

function document(): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  let i = 0;
  while (JSON.stringify(doc).length < TARGET_BYTES) doc[`release${i}`] = section(i++);
  return doc;
}

function time(fn: () => number): { samples: number[]; found: number } {
  let found = 0;
  for (let i = 0; i < 3; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = process.hrtime.bigint();
    found = fn();
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return { samples, found };
}

export async function run(): Promise<BenchResult> {
  const values = document();
  const yaml = YAML.stringify(values);
  const structured = time(() => redact(values).paths.length);
  const text = time(() => redact({ values: yaml }).paths.length);
  return {
    summary: {
      values_ms: median(structured.samples),
      values_p90_ms: percentile(structured.samples, 90),
      yaml_ms: median(text.samples),
      yaml_p90_ms: percentile(text.samples, 90),
      found: structured.found,
    },
    details: {
      jsonBytes: JSON.stringify(values).length,
      yamlBytes: yaml.length,
      runs: RUNS,
      values: structured,
      yaml: text,
    },
  };
}
