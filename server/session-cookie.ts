// Whether the session cookie is Secure (sent over HTTPS only). It is, unless the browser talks to
// the dashboard on a loopback address (`npm run web`, `kubectl port-forward`), where the cookie
// never crosses a network (and browsers keep Secure cookies of http://localhost anyway). What
// the request says of its scheme (X-Forwarded-Proto) is not asked: a proxy that forgets to say
// https, or a client that lies, must not get the session cookie sent in clear.
import { isLoopback } from "./web-config";

/** The host name of a Host header ("[::1]:3000" → "::1"). */
function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith("[")) return h.slice(1, h.indexOf("]"));
  return h.split(":")[0]!;
}

export function sessionCookieSecure(host: string | null): boolean {
  return !host || !isLoopback(hostName(host));
}

/**
 * What the sign-in page says when the browser will not keep the Secure cookie: the page came
 * over plain HTTP to a name that is not loopback. Null when signing in will work.
 */
export function plainHttpProblem(host: string | null, forwardedProto: string | null): string | null {
  if (!sessionCookieSecure(host) || forwardedProto?.split(",")[0]?.trim() === "https") return null;
  return (
    "This page came over plain HTTP: the session cookie is sent over HTTPS only, so your browser " +
    "would not keep it. Serve the dashboard over HTTPS (a TLS Ingress that sets X-Forwarded-Proto), " +
    "or reach it on localhost (kubectl port-forward)."
  );
}
