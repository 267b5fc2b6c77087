// What the dashboard's own HTTP server (server/web-server.ts) tells the app in the same process:
// where it listens, and each request's client address. The listener is kept on globalThis, out
// of any client's reach; a request cannot fake it. Served by anything else (`next start` run by
// hand), there is no listener: then no request gets the no-login local mode, whatever the
// variables say, and every client shares one sign-in throttle.
import { isLoopback } from "./web-config";

/** Set by the dashboard's server on every request, replacing whatever the client sent. */
export const CLIENT_ADDRESS_HEADER = "x-fleetdeck-client-address";

export interface WebListener {
  /** The listening socket's address, e.g. "127.0.0.1" or "::". */
  address: string;
  port: number;
  loopback: boolean;
}

const KEY = Symbol.for("fleetdeck.web.listener");
const registry = globalThis as unknown as Record<symbol, WebListener | undefined>;

export function recordListener(address: string, port: number): WebListener {
  const listener = { address, port, loopback: isLoopback(address) };
  registry[KEY] = listener;
  return listener;
}

/** The dashboard server's socket, or undefined when something else serves this app. */
export function currentListener(): WebListener | undefined {
  return registry[KEY];
}

/**
 * Who is asking, for the sign-in throttle: the last X-Forwarded-For hop when the request comes
 * from the trusted proxy (which appended it), otherwise the socket's peer as stamped by the
 * dashboard's server; "unknown" when neither can be trusted.
 */
export function clientAddress(
  header: (name: string) => string | null | undefined,
  fromTrustedProxy: boolean,
): string {
  if (fromTrustedProxy) {
    const hops = (header("x-forwarded-for") ?? "")
      .split(",")
      .map((h) => h.trim())
      .filter(Boolean);
    if (hops.length > 0) return hops[hops.length - 1]!;
  }
  if (currentListener()) return header(CLIENT_ADDRESS_HEADER)?.trim() || "unknown";
  return "unknown";
}
