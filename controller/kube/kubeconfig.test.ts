// The kubeconfig loader: certificates and tokens inline or in files (paths relative to the
// kubeconfig), the in-cluster ServiceAccount, exec plugins handed to client-node, and errors
// that name the file.
import fs from "node:fs";
import type https from "node:https";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { KubeConfigError, loadKubeConfig } from "./kubeconfig";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubeconfig-test-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | object): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof content === "string" ? content : stringify(content));
  return file;
}

function kubeconfig(cluster: object, user: object) {
  return {
    apiVersion: "v1",
    kind: "Config",
    "current-context": "ctx",
    clusters: [{ name: "c", cluster: { server: "https://127.0.0.1:6443", ...cluster } }],
    contexts: [{ name: "ctx", context: { cluster: "c", user: "u" } }],
    users: [{ name: "u", user }],
  };
}

async function optionsOf(file: string): Promise<https.RequestOptions> {
  const { kc } = await loadKubeConfig({ explicit: file, fallbacks: [] });
  const options: https.RequestOptions = { headers: { Accept: "application/json" } };
  await kc.applyToHTTPSOptions(options);
  return options;
}

const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("loadKubeConfig", () => {
  it("uses inline certificates (kwokctl's and kind's kubeconfigs)", async () => {
    const file = write(
      "inline.yaml",
      kubeconfig(
        { "certificate-authority-data": b64("CA") },
        { "client-certificate-data": b64("CERT"), "client-key-data": b64("KEY") },
      ),
    );
    const options = await optionsOf(file);
    expect(String(options.ca)).toBe("CA");
    expect(String(options.cert)).toBe("CERT");
    expect(String(options.key)).toBe("KEY");
    expect(options.headers).toEqual({ Accept: "application/json" });
    const { kc } = await loadKubeConfig({ explicit: file, fallbacks: [] });
    expect(kc.getCurrentCluster()?.server).toBe("https://127.0.0.1:6443");
  });

  it("reads certificate and token files relative to the kubeconfig, and a bearer token", async () => {
    write("ca.crt", "FILE-CA");
    write("token", "file-token\n");
    const fromFiles = await optionsOf(
      write("files.yaml", kubeconfig({ "certificate-authority": "ca.crt" }, { tokenFile: "token" })),
    );
    expect(String(fromFiles.ca)).toBe("FILE-CA");
    expect(fromFiles.headers).toMatchObject({ Authorization: "Bearer file-token" });
    const inline = await optionsOf(
      write("token.yaml", kubeconfig({ "insecure-skip-tls-verify": true }, { token: "t0k" })),
    );
    expect(inline.headers).toMatchObject({ Authorization: "Bearer t0k" });
    expect(inline.rejectUnauthorized).toBe(false);
  });

  it("uses the mounted ServiceAccount in a cluster", async () => {
    const tokenFile = write("sa-token", "sa-token-value");
    const caFile = write("sa-ca.crt", "SA-CA");
    const { kc, source } = await loadKubeConfig({
      inCluster: { server: "https://10.0.0.1:443", tokenFile, caFile },
      fallbacks: [],
    });
    expect(source).toBe("in-cluster");
    const options: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(options);
    expect(kc.getCurrentCluster()?.server).toBe("https://10.0.0.1:443");
    expect(String(options.ca)).toBe("SA-CA");
    expect(options.headers).toMatchObject({ Authorization: "Bearer sa-token-value" });
  });

  it("hands a user with an exec plugin to client-node", async () => {
    const file = write(
      "exec.yaml",
      kubeconfig({}, { exec: { apiVersion: "client.authentication.k8s.io/v1", command: "true" } }),
    );
    const { kc } = await loadKubeConfig({ explicit: file, fallbacks: [] });
    expect(kc.constructor.name).toBe("KubeConfig");
    expect(kc.getCurrentCluster()?.server).toBe("https://127.0.0.1:6443");
  });

  it("takes the first fallback that exists", async () => {
    const file = write("fallback.yaml", kubeconfig({}, { token: "x" }));
    const { source } = await loadKubeConfig({ fallbacks: [path.join(dir, "missing"), file] });
    expect(source).toBe(file);
  });

  it("names the file that cannot be used", async () => {
    await expect(loadKubeConfig({ explicit: path.join(dir, "nope"), fallbacks: [] })).rejects.toThrow(
      new KubeConfigError(`cannot read kubeconfig ${path.join(dir, "nope")}: ENOENT`),
    );
    const broken = write("broken.yaml", "clusters: [");
    await expect(loadKubeConfig({ explicit: broken, fallbacks: [] })).rejects.toThrow(/is not valid/);
    const noContext = write("nocontext.yaml", { ...kubeconfig({}, {}), "current-context": "other" });
    await expect(loadKubeConfig({ explicit: noContext, fallbacks: [] })).rejects.toThrow(
      `kubeconfig ${noContext} has no usable current context`,
    );
    await expect(loadKubeConfig({ fallbacks: [] })).rejects.toThrow(/no kubeconfig found/);
  });
});
