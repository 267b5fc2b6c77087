// Where the login form may send the browser afterwards: a path of this dashboard, nothing else.
// Browsers drop tabs and newlines from URLs and read "\" as "/", so "/\t/evil.example" or
// "/\evil.example" would leave the site as "//evil.example"; anything that is not a plain
// same-origin path is replaced by "/".

const BASE = "http://fleetdeck.invalid";

/** `next` if it is a same-origin path (with its query and fragment), otherwise "/". */
export function safeNextPath(next: unknown): string {
  if (typeof next !== "string" || next.length === 0 || next.length > 2048) return "/";
  // Only a path: no scheme ("https:x"), no protocol-relative "//host".
  if (!next.startsWith("/") || next.startsWith("//")) return "/";
  // No backslash (read as "/"), whitespace or control character (dropped by browsers), raw, or
  // encoded in the path (which something along the way might decode).
  let decoded = next.split(/[?#]/)[0]!;
  for (let i = 0; i < 3 && /%[0-9a-f]{2}/i.test(decoded); i++) {
    try {
      decoded = decodeURIComponent(decoded);
    } catch {
      return "/";
    }
  }
  for (const text of [next, decoded]) {
    if (/[\\\s\x00-\x1f\x7f]/.test(text) || text.startsWith("//")) return "/";
  }
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return "/";
  }
  if (url.origin !== BASE) return "/";
  const path = `${url.pathname}${url.search}${url.hash}`;
  return path.startsWith("/") && !path.startsWith("//") ? path : "/";
}
