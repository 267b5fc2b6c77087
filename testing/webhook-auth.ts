// How the local cluster's API server authenticates itself to admission webhooks (the spot
// webhook checks it with a TokenReview): an AdmissionConfiguration whose kubeConfigFile gives
// every webhook ("*") a bearer token, and that token in the API server's static token file,
// where it names the user WEBHOOK_CLIENT_USER. Written when the cluster is created (the API
// server reads both files at start), kept beside kwokctl's directory and removed with it.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";

/** Who the API server is, to a webhook that reviews its token. */
export const WEBHOOK_CLIENT_USER = "kube-apiserver";

export interface WebhookAuthFiles {
  dir: string;
  tokenFile: string;
  admissionConfig: string;
}

export function webhookAuthFiles(dir: string): WebhookAuthFiles {
  return {
    dir,
    tokenFile: path.join(dir, "tokens.csv"),
    admissionConfig: path.join(dir, "admission.yaml"),
  };
}

/** Writes a fresh token and the files the API server reads; returns the kube-apiserver flags. */
export function writeWebhookAuth(files: WebhookAuthFiles): string[] {
  fs.rmSync(files.dir, { recursive: true, force: true });
  fs.mkdirSync(files.dir, { recursive: true, mode: 0o700 });
  const token = randomBytes(32).toString("hex");
  // token,user,uid
  fs.writeFileSync(files.tokenFile, `${token},${WEBHOOK_CLIENT_USER},${WEBHOOK_CLIENT_USER}\n`, {
    mode: 0o600,
  });
  const kubeconfig = path.join(files.dir, "webhook-kubeconfig.yaml");
  fs.writeFileSync(
    kubeconfig,
    YAML.stringify({
      apiVersion: "v1",
      kind: "Config",
      // "*": the token goes to every webhook this API server calls, whatever its address.
      users: [{ name: "*", user: { token } }],
    }),
    { mode: 0o600 },
  );
  const plugin = (name: string) => ({
    name,
    configuration: {
      apiVersion: "apiserver.config.k8s.io/v1",
      kind: "WebhookAdmissionConfiguration",
      kubeConfigFile: kubeconfig,
    },
  });
  fs.writeFileSync(
    files.admissionConfig,
    YAML.stringify({
      apiVersion: "apiserver.config.k8s.io/v1",
      kind: "AdmissionConfiguration",
      plugins: [plugin("MutatingAdmissionWebhook"), plugin("ValidatingAdmissionWebhook")],
    }),
  );
  return [
    `kube-apiserver=token-auth-file=${files.tokenFile}`,
    `kube-apiserver=admission-control-config-file=${files.admissionConfig}`,
  ];
}

/** The token the API server presents (for tests that call a webhook as it would), if configured. */
export function webhookClientToken(files: WebhookAuthFiles): string | undefined {
  if (!fs.existsSync(files.tokenFile)) return undefined;
  return fs.readFileSync(files.tokenFile, "utf8").split(",")[0];
}
