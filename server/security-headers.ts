// The dashboard's response headers against framing (clickjacking of "Roll back" or "Disable
// spot"), script injection, MIME sniffing and referrer leaks. proxy.ts sets them, with a fresh
// script nonce per page, on everything it answers; next.config.ts sets the static ones on the
// assets the proxy does not see.

/** Headers every response carries. */
export const STATIC_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "X-Frame-Options": "DENY",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
};

/**
 * As tight as the App Router allows: scripts only from this origin with the page's nonce
 * (Next puts it on its own scripts; 'strict-dynamic' lets them load their chunks), styles from
 * this origin or with the nonce (style attributes, which React renders for bar widths, stay
 * allowed), connections to this origin only (reads, the live stream), no plugins, no <base>,
 * forms posting here only, and no framing by anyone.
 */
export function contentSecurityPolicy(nonce: string, dev = false): string {
  return [
    "default-src 'self'",
    // Development only: React's error overlay evaluates code, hot reload uses a WebSocket.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${dev ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** A fresh nonce: 16 random bytes, base64. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}
