// The webhook's TLS: a self-managed CA and a serving certificate signed by it, kept in a
// Secret in fleetdeck's namespace so every replica serves the same certificate and the
// MutatingWebhookConfiguration's caBundle stays valid across restarts. The serving certificate
// is renewed when a third of its life is left (as cert-manager does) and whenever the host
// names it must cover change; the CA likewise, which changes the caBundle. Replicas race
// safely: writes carry the resourceVersion they read, and a loser re-reads the winner's.
//
// node:crypto can parse and verify X.509 but not create certificates, so node-forge signs them;
// the keys come from node:crypto.
import { generateKeyPairSync, randomBytes, X509Certificate } from "node:crypto";
import net from "node:net";
import forge from "node-forge";
import { describeKubeError, isConflict, resourcePath, type KubeClient } from "../../kube/client";
import { Conflict, ConflictRetriesExhausted, retryOnConflict } from "../../kube/retry";
import type { Logger } from "../../log";

export interface ServingCertificate {
  caPem: string;
  certPem: string;
  keyPem: string;
  /** When the serving certificate expires. */
  notAfter: Date;
}

interface Issued {
  certPem: string;
  keyPem: string;
}

const YEAR_MS = 365 * 24 * 3600 * 1000;

export interface CertManagerOptions {
  namespace: string;
  secretName: string;
  /** DNS names and IP addresses the serving certificate must be valid for. */
  hosts: string[];
  caValidityMs?: number;
  certValidityMs?: number;
  /** How often the Secret is re-read and the certificate checked (another replica may renew it). */
  checkIntervalMs?: number;
  /** How often while there is no certificate yet. */
  retryIntervalMs?: number;
}

function newKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

function newCertificate(
  publicKeyPem: string,
  subjectCN: string,
  validityMs: number,
  extensions: object[],
): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  // A positive serial: the first byte's high bit cleared.
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  cert.serialNumber = serial.toString("hex");
  // Backdated a little against clock skew between this host and the API server's.
  cert.validity.notBefore = new Date(Date.now() - 5 * 60_000);
  cert.validity.notAfter = new Date(Date.now() + validityMs);
  cert.setSubject([{ name: "commonName", value: subjectCN }]);
  cert.setExtensions(extensions);
  return cert;
}

/** A self-signed CA for the webhook. */
export function createCa(validityMs = 10 * YEAR_MS): Issued {
  const keys = newKeyPair();
  const cert = newCertificate(keys.publicKeyPem, "fleetdeck-webhook-ca", validityMs, [
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  cert.setIssuer(cert.subject.attributes);
  cert.sign(forge.pki.privateKeyFromPem(keys.privateKeyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privateKeyPem };
}

/** A serving certificate for `hosts`, signed by `ca`. */
export function issueServingCertificate(ca: Issued, hosts: string[], validityMs = YEAR_MS): Issued {
  const keys = newKeyPair();
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const cert = newCertificate(keys.publicKeyPem, hosts[0] ?? "fleetdeck-webhook", validityMs, [
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: true },
    {
      name: "subjectAltName",
      altNames: hosts.map((h) => (net.isIP(h) ? { type: 7, ip: h } : { type: 2, value: h })),
    },
  ]);
  cert.setIssuer(caCert.subject.attributes);
  cert.sign(forge.pki.privateKeyFromPem(ca.keyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privateKeyPem };
}

/** Why a stored certificate must be replaced, or undefined when it is good. */
export function replacementReason(
  stored: { caPem: string; certPem: string },
  hosts: string[],
  now: number,
  validity: { caMs: number; certMs: number },
): { ca?: string; cert?: string } {
  let ca: X509Certificate;
  let cert: X509Certificate;
  try {
    ca = new X509Certificate(stored.caPem);
    cert = new X509Certificate(stored.certPem);
  } catch (error) {
    return { ca: `unreadable certificate (${(error as Error).message})` };
  }
  const remaining = (c: X509Certificate) => Date.parse(c.validTo) - now;
  const lifetime = (c: X509Certificate) => Date.parse(c.validTo) - Date.parse(c.validFrom);
  if (!ca.ca) return { ca: "the stored CA is not a CA certificate" };
  if (remaining(ca) < Math.min(lifetime(ca), validity.caMs) / 3)
    return { ca: `the CA expires ${ca.validTo}` };
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return { cert: "not signed by the stored CA" };
  if (remaining(cert) < Math.min(lifetime(cert), validity.certMs) / 3)
    return { cert: `the serving certificate expires ${cert.validTo}` };
  const covered = (cert.subjectAltName ?? "").split(",").map((s) => s.trim());
  const missing = hosts.filter((h) => !covered.includes(net.isIP(h) ? `IP Address:${h}` : `DNS:${h}`));
  if (missing.length > 0) return { cert: `it does not cover ${missing.join(", ")}` };
  return {};
}

interface Secret {
  metadata?: { resourceVersion?: string };
  data?: Record<string, string>;
}

export class CertManager {
  private readonly caValidityMs: number;
  private readonly certValidityMs: number;
  private current: ServingCertificate | undefined;
  private listeners: ((cert: ServingCertificate) => void)[] = [];
  private lastError: string | undefined;

  constructor(
    private readonly client: KubeClient,
    private readonly options: CertManagerOptions,
    private readonly log: Logger,
  ) {
    this.caValidityMs = options.caValidityMs ?? 10 * YEAR_MS;
    this.certValidityMs = options.certValidityMs ?? YEAR_MS;
  }

  /** The certificate being served, once there is one. */
  certificate(): ServingCertificate | undefined {
    return this.current;
  }

  error(): string | undefined {
    return this.lastError;
  }

  /** Called with every new certificate (first one included). */
  onChange(listener: (cert: ServingCertificate) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Checks the Secret, creating or renewing what is due (every replica runs it, at
   * nextCheckMs(): ./setup.ts); a failure is kept for readiness and thrown.
   */
  async check(): Promise<void> {
    try {
      await this.ensure();
      this.lastError = undefined;
    } catch (error) {
      this.lastError = describeKubeError(error);
      throw new Error(`webhook certificate (Secret ${this.options.secretName}) not ready: ${this.lastError}`);
    }
  }

  /** The wait before the next check: short until there is a certificate. */
  nextCheckMs(): number {
    return this.current ? (this.options.checkIntervalMs ?? 60_000) : (this.options.retryIntervalMs ?? 2_000);
  }

  /** Reads the Secret, creating or renewing what is missing or due, and returns the certificate. */
  async ensure(): Promise<ServingCertificate> {
    try {
      return await retryOnConflict(() => this.ensureOnce(), { stepMs: 0 });
    } catch (error) {
      if (!(error instanceof ConflictRetriesExhausted)) throw error;
      throw new Error(`could not settle the webhook certificate in Secret ${this.options.secretName}`);
    }
  }

  private async ensureOnce(): Promise<ServingCertificate> {
    const secret = await this.read();
    const data = secret?.data ?? {};
    const decode = (k: string) => (data[k] ? Buffer.from(data[k], "base64").toString("utf8") : "");
    const stored = {
      caPem: decode("ca.crt"),
      caKeyPem: decode("ca.key"),
      certPem: decode("tls.crt"),
      keyPem: decode("tls.key"),
    };
    const complete = stored.caPem && stored.caKeyPem && stored.certPem && stored.keyPem;
    const reason = complete
      ? replacementReason(stored, this.options.hosts, Date.now(), {
          caMs: this.caValidityMs,
          certMs: this.certValidityMs,
        })
      : { ca: secret ? "the Secret is incomplete" : "no Secret yet" };
    if (!reason.ca && !reason.cert) return this.use(stored);

    const ca = reason.ca ? createCa(this.caValidityMs) : { certPem: stored.caPem, keyPem: stored.caKeyPem };
    const serving = issueServingCertificate(ca, this.options.hosts, this.certValidityMs);
    const next = {
      caPem: ca.certPem,
      caKeyPem: ca.keyPem,
      certPem: serving.certPem,
      keyPem: serving.keyPem,
    };
    // A 409: another replica wrote first; the retry reads and uses what it wrote.
    await this.write(secret, next);
    this.log.info(
      { secret: this.options.secretName, why: reason.ca ?? reason.cert, newCa: Boolean(reason.ca) },
      "issued a webhook serving certificate",
    );
    return this.use(next);
  }

  private use(stored: { caPem: string; certPem: string; keyPem: string }): ServingCertificate {
    const notAfter = new Date(new X509Certificate(stored.certPem).validTo);
    const changed = this.current?.certPem !== stored.certPem || this.current?.caPem !== stored.caPem;
    this.current = { caPem: stored.caPem, certPem: stored.certPem, keyPem: stored.keyPem, notAfter };
    if (changed) for (const listener of this.listeners) listener(this.current);
    return this.current;
  }

  private secretPath(name?: string): string {
    return resourcePath({ version: "v1", resource: "secrets", namespace: this.options.namespace, name });
  }

  private read(): Promise<Secret | undefined> {
    return this.client.getIfExists<Secret>(this.secretPath(this.options.secretName));
  }

  /** Creates or replaces the Secret; a Conflict when another writer got there first. */
  private async write(
    existing: Secret | undefined,
    next: { caPem: string; caKeyPem: string; certPem: string; keyPem: string },
  ): Promise<void> {
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    const body = {
      apiVersion: "v1",
      kind: "Secret",
      type: "kubernetes.io/tls",
      metadata: {
        name: this.options.secretName,
        namespace: this.options.namespace,
        labels: { "app.kubernetes.io/part-of": "fleetdeck", "app.kubernetes.io/component": "spot-webhook" },
        ...(existing?.metadata?.resourceVersion
          ? { resourceVersion: existing.metadata.resourceVersion }
          : {}),
      },
      data: {
        "ca.crt": b64(next.caPem),
        "ca.key": b64(next.caKeyPem),
        "tls.crt": b64(next.certPem),
        "tls.key": b64(next.keyPem),
      },
    };
    try {
      if (existing) await this.client.replace(this.secretPath(this.options.secretName), body);
      else await this.client.create(this.secretPath(), body);
    } catch (error) {
      // AlreadyExists (a create) and Conflict (a replace) are both 409.
      if (isConflict(error)) throw new Conflict();
      throw error;
    }
  }
}
