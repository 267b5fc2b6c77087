// The webhook certificate in its Secret: created once, reused, renewed before expiry (same CA,
// so the caBundle stays valid), reissued when the host names change, and served by a running
// server without a restart.
import { X509Certificate } from "node:crypto";
import tls from "node:tls";
import { describe, expect, it } from "vitest";
import { CoreV1Api } from "@kubernetes/client-node";
import pino from "pino";
import { controllerClient, testNamespace } from "../../../test/harness";
import { freePort } from "../../../testing/processes";
import { CertManager, createCa, issueServingCertificate } from "./certs";
import { WebhookServer } from "./webhook";

const ns = testNamespace("spot-certs");
const log = pino({ level: "silent" });
const hosts = ["127.0.0.1", "localhost"];

function manager(secretName: string, hostNames = hosts) {
  return new CertManager(controllerClient(), { namespace: ns.name, secretName, hosts: hostNames }, log);
}

async function secretVersion(name: string): Promise<string | undefined> {
  const secret = await ns.kc.makeApiClient(CoreV1Api).readNamespacedSecret({ name, namespace: ns.name });
  return secret.metadata?.resourceVersion;
}

describe("webhook certificate", () => {
  it("creates the CA and serving certificate once and reuses them", async () => {
    const first = await manager("reuse").ensure();
    const cert = new X509Certificate(first.certPem);
    const ca = new X509Certificate(first.caPem);
    expect(cert.checkIssued(ca) && cert.verify(ca.publicKey)).toBe(true);
    expect(cert.subjectAltName).toBe("IP Address:127.0.0.1, DNS:localhost");
    expect(first.notAfter.getTime()).toBeGreaterThan(Date.now() + 360 * 24 * 3600_000);
    const version = await secretVersion("reuse");

    const again = await manager("reuse").ensure();
    expect(again.certPem).toBe(first.certPem);
    expect(await secretVersion("reuse")).toBe(version);
  });

  it("renews a serving certificate close to expiry with the same CA", async () => {
    const ca = createCa();
    const expiring = issueServingCertificate(ca, hosts, 60_000);
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    await ns.kc.makeApiClient(CoreV1Api).createNamespacedSecret({
      namespace: ns.name,
      body: {
        metadata: { name: "expiring" },
        type: "kubernetes.io/tls",
        data: {
          "ca.crt": b64(ca.certPem),
          "ca.key": b64(ca.keyPem),
          "tls.crt": b64(expiring.certPem),
          "tls.key": b64(expiring.keyPem),
        },
      },
    });
    const m = manager("expiring");
    const seen: string[] = [];
    m.onChange((c) => seen.push(c.certPem));
    const renewed = await m.ensure();
    expect(renewed.certPem).not.toBe(expiring.certPem);
    expect(renewed.caPem).toBe(ca.certPem);
    expect(renewed.notAfter.getTime()).toBeGreaterThan(Date.now() + 300 * 24 * 3600_000);
    expect(seen).toEqual([renewed.certPem]);
  });

  it("reissues the serving certificate when the host names change", async () => {
    const first = await manager("hosts").ensure();
    const moved = await manager("hosts", ["fleetdeck-webhook.fleetdeck-system.svc"]).ensure();
    expect(moved.caPem).toBe(first.caPem);
    expect(new X509Certificate(moved.certPem).subjectAltName).toBe(
      "DNS:fleetdeck-webhook.fleetdeck-system.svc",
    );
  });

  it("lets replicas race for a new Secret and agree on one certificate", async () => {
    const results = await Promise.all([
      manager("race").ensure(),
      manager("race").ensure(),
      manager("race").ensure(),
    ]);
    expect(new Set(results.map((r) => r.certPem)).size).toBe(1);
  });

  it("serves a new certificate on new connections without restarting", async () => {
    const ca = createCa();
    const one = issueServingCertificate(ca, hosts);
    const two = issueServingCertificate(ca, hosts);
    const server = new WebhookServer(
      {
        workloads: { get: () => undefined, isDisabled: () => false },
        tracker: { ready: () => true, admit: () => "on-demand" },
      },
      log,
    );
    const port = await server.listen("127.0.0.1", await freePort(), { cert: one.certPem, key: one.keyPem });
    const served = () =>
      new Promise<string>((resolve, reject) => {
        const socket = tls.connect(
          { host: "127.0.0.1", port, ca: ca.certPem, servername: "localhost" },
          () => {
            resolve(socket.getPeerX509Certificate()!.fingerprint256);
            socket.end();
          },
        );
        socket.on("error", reject);
      });
    try {
      expect(await served()).toBe(new X509Certificate(one.certPem).fingerprint256);
      server.setCertificate({ cert: two.certPem, key: two.keyPem });
      expect(await served()).toBe(new X509Certificate(two.certPem).fingerprint256);
    } finally {
      await server.close();
    }
  });
});
