// Helm 3 release storage: a Secret or ConfigMap named sh.helm.release.v1.<release>.v<revision>
// whose `release` field is base64(gzip(JSON)) (a Secret adds the API's own base64 on top).
// Decoding never throws anything but a HelmReleaseError, whose code and message say why.
import zlib from "node:zlib";
import YAML from "yaml";
import { z } from "zod";
import type { HelmReleaseInfo } from "./payloads";
import { redactSecrets } from "../../lib/redact";

export const RELEASE_PREFIX = "sh.helm.release.v1.";
const REVISION_SUFFIX = /\.v(\d+)$/;

export type HelmReleaseErrorCode = "missing-data" | "not-gzip" | "too-large" | "not-json" | "invalid-release";

export class HelmReleaseError extends Error {
  override name = "HelmReleaseError";
  constructor(
    readonly code: HelmReleaseErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Release name and revision from the storage object's name, or undefined when it is not one. */
export function parseReleaseObjectName(name: string): { release: string; revision: number } | undefined {
  if (!name.startsWith(RELEASE_PREFIX)) return undefined;
  const rest = name.slice(RELEASE_PREFIX.length);
  const match = REVISION_SUFFIX.exec(rest);
  if (!match) return undefined;
  const release = rest.slice(0, match.index);
  const revision = Number(match[1]);
  return release && Number.isSafeInteger(revision) ? { release, revision } : undefined;
}

const valuesSchema = z.record(z.string(), z.unknown()).nullish();

const releaseSchema = z.object({
  name: z.string().min(1),
  namespace: z.string().default(""),
  version: z.number().int(),
  config: valuesSchema,
  chart: z.object({
    metadata: z.object({
      name: z.string().min(1),
      version: z.string().default(""),
      appVersion: z.string().default(""),
    }),
    values: valuesSchema,
  }),
});

export type DecodedRelease = z.infer<typeof releaseSchema>;

const STRICT_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * Decodes the `release` field. `fromSecret`: the field is as the API returns a Secret's data
 * (base64 of Helm's text); a ConfigMap's is Helm's text itself. Then Helm's base64 (falling back
 * to the raw bytes, as upstream), gunzip streamed and stopped as soon as it passes `maxBytes` (a
 * gzip bomb costs at most that much memory), JSON, and a shape check.
 */
export async function decodeHelmRelease(
  field: string | undefined,
  fromSecret: boolean,
  maxBytes: number,
): Promise<DecodedRelease> {
  if (!field) throw new HelmReleaseError("missing-data", "no data.release field");
  const helmText = fromSecret ? Buffer.from(field, "base64").toString("latin1") : field;
  const compact = helmText.replace(/\s+/g, "");
  const bytes =
    compact.length % 4 === 0 && STRICT_BASE64.test(compact)
      ? Buffer.from(compact, "base64")
      : Buffer.from(helmText, "latin1");
  if (bytes[0] !== GZIP_MAGIC[0] || bytes[1] !== GZIP_MAGIC[1]) {
    throw new HelmReleaseError("not-gzip", "release data is not gzip-compressed");
  }
  const json = await gunzipCapped(bytes, maxBytes);
  let parsed: unknown;
  try {
    parsed = JSON.parse(json.toString("utf8"));
  } catch (error) {
    // V8's message quotes the text around the error, which may be a secret: only its position.
    const at = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new HelmReleaseError("not-json", `release is not JSON${at ? ` (at byte ${at})` : ""}`);
  }
  if (nestingDepth(parsed) > MAX_NESTING) {
    throw new HelmReleaseError(
      "invalid-release",
      `not a Helm release: nested deeper than ${MAX_NESTING} levels`,
    );
  }
  const result = releaseSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new HelmReleaseError(
      "invalid-release",
      `not a Helm release: ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`,
    );
  }
  return result.data;
}

/** Gunzips as a stream and stops at the first chunk past `maxBytes`. */
function gunzipCapped(bytes: Buffer, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const gunzip = zlib.createGunzip();
    const chunks: Buffer[] = [];
    let size = 0;
    gunzip.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        gunzip.destroy();
        reject(
          new HelmReleaseError(
            "too-large",
            `release decompresses to more than ${maxBytes} bytes (FLEETDECK_METADATA_HELM_MAX_RELEASE_BYTES)`,
          ),
        );
        return;
      }
      chunks.push(chunk);
    });
    gunzip.on("end", () => resolve(Buffer.concat(chunks, size)));
    gunzip.on("error", (error) =>
      reject(new HelmReleaseError("not-gzip", `corrupt gzip data: ${error.message}`)),
    );
    gunzip.end(bytes);
  });
}

/** Helm values nest a dozen levels; past this a release is refused (the recursive steps after decoding stay safe). */
const MAX_NESTING = 100;

function nestingDepth(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== "object") continue;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_NESTING) return deepest;
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return deepest;
}

type Values = Record<string, unknown>;

const isPlainObject = (v: unknown): v is Values => typeof v === "object" && v !== null && !Array.isArray(v);

/** Chart defaults deep-merged with the user's values; the user's win (maps merge, the rest replaces). */
export function mergeValues(defaults: Values, overrides: Values): Values {
  const result: Values = { ...defaults };
  for (const [key, value] of Object.entries(overrides)) {
    const existing = result[key];
    result[key] = isPlainObject(existing) && isPlainObject(value) ? mergeValues(existing, value) : value;
  }
  return result;
}

/** YAML as Go's yaml.v2 writes it: keys sorted, sequences not indented, no folding. */
export function toYaml(values: Values): string {
  return YAML.stringify(values, { sortMapEntries: true, indentSeq: false, lineWidth: 0 });
}

/** What the Helm forwarder sends of a release: provided and full values as YAML, secrets redacted. */
export function releaseInfo(release: DecodedRelease, storageUid: string, revision: number): HelmReleaseInfo {
  const provided = release.config ?? {};
  const full = mergeValues(release.chart.values ?? {}, provided);
  return {
    releaseName: release.name,
    namespace: release.namespace,
    chartName: release.chart.metadata.name,
    chartVersion: release.chart.metadata.version,
    appVersion: release.chart.metadata.appVersion,
    storageUid,
    revision,
    providedValuesYaml: toYaml(redactSecrets(provided)),
    fullValuesYaml: toYaml(redactSecrets(full)),
  };
}

/** Helm's encoding of a release (for tests, fixtures and the demo): base64(gzip(JSON)). */
export function encodeHelmRelease(release: unknown): string {
  return zlib.gzipSync(Buffer.from(JSON.stringify(release))).toString("base64");
}
