// Credentials recognised by their value wherever they are, whatever the key above them: the
// token formats services publish (prefixes are what their secret scanners look for too),
// webhook URLs that carry their secret in the path, and a base64-encoded private key. A table
// of data for lib/redact.ts, which applies it; pure, shared by the controller and the dashboard.
//
// Every pattern starts only where its run of characters starts (a lookbehind on the run's own
// characters), so a pattern scans each character a bounded number of times: the work stays
// linear in the text.

export interface TokenFormat {
  /** What was found, for the paths redact() reports (never the value). */
  what: string;
  pattern: RegExp;
  /** A further check on a match, for formats whose prefix alone could be a word. */
  accept?: (match: string) => boolean;
}

const mixedCase = (token: string) => /[a-z]/.test(token) && /[A-Z]/.test(token) && /\d/.test(token);

/** The formats, each with the run characters of its body in its lookbehind. */
export const TOKEN_FORMATS: TokenFormat[] = [
  { what: "an AWS access key id", pattern: /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16,}/g },
  {
    what: "a GitHub token",
    pattern: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})/g,
  },
  { what: "a Slack token", pattern: /(?<![A-Za-z0-9-])(?:xox[abposre]|xapp)-[A-Za-z0-9-]{10,}/g },
  { what: "a Stripe secret key", pattern: /(?<![A-Za-z0-9_])(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}/g },
  { what: "a Stripe webhook secret", pattern: /(?<![A-Za-z0-9_])whsec_[A-Za-z0-9]{20,}/g },
  { what: "a Google API key", pattern: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{30,}/g },
  {
    what: "a GitLab token",
    pattern: /(?<![A-Za-z0-9_-])gl(?:pat|ptt|dt|rt|cbt|oas|soat|ft|imt|agent)-[0-9A-Za-z_-]{20,}/g,
  },
  { what: "an npm token", pattern: /(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{30,}/g },
  { what: "a PyPI token", pattern: /(?<![A-Za-z0-9_-])pypi-AgE[A-Za-z0-9_-]{50,}/g },
  { what: "a Docker Hub token", pattern: /(?<![A-Za-z0-9_-])dckr_pat_[A-Za-z0-9_-]{20,}/g },
  { what: "a Hugging Face token", pattern: /(?<![A-Za-z0-9_])hf_[A-Za-z0-9]{30,}/g },
  {
    what: "an OpenAI or Anthropic key",
    pattern: /(?<![A-Za-z0-9_-])sk-(?:ant-|proj-|svcacct-)?[A-Za-z0-9_-]{32,}/g,
    accept: mixedCase,
  },
  { what: "a SendGrid key", pattern: /(?<![A-Za-z0-9_.-])SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/g },
  { what: "a Vault token", pattern: /(?<![A-Za-z0-9_.-])hv[sbr]\.[A-Za-z0-9_-]{24,}/g },
  { what: "a DigitalOcean token", pattern: /(?<![A-Za-z0-9_])do[opr]_v1_[a-f0-9]{64}/g },
  { what: "a Shopify token", pattern: /(?<![A-Za-z0-9_])shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}/g },
  { what: "an Atlassian token", pattern: /(?<![A-Za-z0-9_=-])ATATT3[A-Za-z0-9_=-]{50,}/g },
  { what: "a New Relic key", pattern: /(?<![A-Za-z0-9-])NRAK-[A-Z0-9]{27}/g },
  {
    what: "a Mailgun key",
    pattern: /(?<![A-Za-z0-9-])key-[0-9a-z]{32}(?![0-9a-z])/g,
    accept: (m) => /\d/.test(m),
  },
  { what: "an age secret key", pattern: /(?<![A-Za-z0-9-])AGE-SECRET-KEY-1[0-9A-Z]{50,}/g },
  { what: "a Telegram bot token", pattern: /(?<![0-9])\d{8,10}:AA[A-Za-z0-9_-]{30,}/g },
];

/** A quick test that any format may be present, so most strings skip the table. */
export const TOKEN_MARKER =
  /AKIA|ASIA|ABIA|ACCA|gh[pousr]_|github_pat_|xox[abposre]-|xapp-|[sr]k_(?:live|test)_|whsec_|AIza|gl[a-z]{1,5}-|npm_|pypi-|dckr_|hf_|sk-|SG\.|hv[sbr]\.|_v1_|shp[a-z]{2}_|ATATT|NRAK-|key-|AGE-SECRET|:AA/;

// ---------------------------------------------------------------------------------------------
// Webhook URLs: whoever has the URL may post. The secret is the path after the service's marker.

/** A URL with a path, from its scheme on. */
export const URL_WITH_PATH = /(?<![A-Za-z0-9+.-])(https?:\/\/)([^\s/?#"'<>\\]+)(\/[^\s?#"'<>\\]*)/gi;

/** Hosts whose webhook paths are secrets after the first segment (Slack: /services/…, Discord: /api/webhooks/…). */
const WEBHOOK_HOSTS: { host: RegExp; marker: RegExp }[] = [
  { host: /^hooks\.slack\.com$/, marker: /^\/(services|workflows|triggers)\// },
  { host: /^(canary\.|ptb\.)?discord(app)?\.com$/, marker: /^\/api\/(v\d+\/)?webhooks\// },
  { host: /(^|\.)webhook\.office\.com$|^outlook\.office(365)?\.com$/, marker: /^\/webhook(b2)?\// },
  { host: /^hooks\.zapier\.com$/, marker: /^\/hooks\/catch\// },
  { host: /^maker\.ifttt\.com$/, marker: /^\/trigger\/[^/]+\/with\/key\// },
];
/** Elsewhere: a hooks-like segment followed by a long random one (Mattermost, Rocket.Chat, PagerDuty). */
const GENERIC_WEBHOOK = /^(.*?\/(?:hooks|webhooks?|webhookb2|integration)\/)([^/]*[A-Za-z0-9_-]{20,}.*)$/i;

/**
 * The path of a webhook URL with its secret part replaced by `replacement`, or undefined when
 * the URL is not a webhook or its secret is already replaced.
 */
export function redactWebhookPath(authority: string, path: string, replacement: string): string | undefined {
  const host = authority
    .slice(authority.lastIndexOf("@") + 1)
    .replace(/:\d*$/, "")
    .toLowerCase();
  for (const { host: hostPattern, marker } of WEBHOOK_HOSTS) {
    if (!hostPattern.test(host)) continue;
    const kept = marker.exec(path)?.[0];
    if (!kept || path.length === kept.length || path.slice(kept.length).startsWith(replacement))
      return undefined;
    return kept + replacement;
  }
  const generic = GENERIC_WEBHOOK.exec(path);
  if (!generic || generic[2]!.startsWith(replacement)) return undefined;
  return generic[1] + replacement;
}

// ---------------------------------------------------------------------------------------------
// Values that decode to a secret.

/**
 * base64 of "-----BEGIN": a PEM file encoded (Kubernetes Secret data, kubeconfig *-data). Lines
 * may wrap, and YAML may have folded them into one line with spaces: the match goes on across
 * a line break or a space followed by more base64.
 */
export const BASE64_PEM =
  /(?<![A-Za-z0-9+/=])LS0tLS1CRUdJTi(?:[A-Za-z0-9+/=]|[ \t]*\r?\n[ \t]*(?=[A-Za-z0-9+/])| (?=[A-Za-z0-9+/]))*/g;

/** The start of a base64 text decoded, or "" when it does not decode. */
function decodeStart(base64: string, chars: number): string {
  const head = base64.replace(/\s+/g, "").slice(0, chars);
  try {
    return atob(head.slice(0, head.length - (head.length % 4)));
  } catch {
    return "";
  }
}

/** Whether a base64 PEM is a private key (a certificate or public key is public). */
export const isBase64PrivateKey = (base64: string) =>
  /^-----BEGIN [A-Z0-9 ]*PRIVATE KEY/.test(decodeStart(base64, 96));

/** `Basic <base64 of user:password>`: an HTTP Basic credential. */
export const BASIC_CREDENTIAL = /\b(Basic)[ \t]+([A-Za-z0-9+/]{6,}={0,2})/gi;

/** Whether a Basic value decodes to "user:password" (and not a word such as "authentication"). */
export function isBasicCredential(base64: string): boolean {
  const decoded = decodeStart(base64 + "=".repeat((4 - (base64.length % 4)) % 4), 1024);
  return /^[\x20-\x7e]*:[\x20-\x7e]*$/.test(decoded) && decoded.length >= 2;
}

/** A Datadog API key (32 hex) or application key (40 hex): no prefix, so only under a key-like name. */
export const DATADOG_KEY_VALUE = /^(?:[0-9a-f]{32}|[0-9a-f]{40})$/i;
