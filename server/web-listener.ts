// What the dashboard's own HTTP server (server/web-server.ts) tells the app in the same process:
// where it listens, and each request's client address. The listener is kept on globalThis, out
// of any client's reach; a request cannot fake it. Served by anything else (`next start` run by
// hand), there is no listener: then no request gets the no-login local mode, whatever the
// variables say, and every client without a proxy in front shares one sign-in throttle.
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

/** The socket peer the dashboard's server stamped on the request, or undefined without its server. */
export function socketPeer(header: (name: string) => string | null | undefined): string | undefined {
  if (!currentListener()) return undefined;
  return header(CLIENT_ADDRESS_HEADER)?.trim() || undefined;
}
