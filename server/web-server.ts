// The dashboard's own HTTP server around Next (a custom server, as Next documents it), used by
// `npm run web` and `npm run dev`. It is what lets the app know two things `next start` hides:
// the address it really listens on (the no-login local mode needs loopback, whatever the
// variables say) and each request's peer address (the sign-in throttle is per client), which
// it stamps on the request in place of anything the client sent (server/web-listener.ts).
import http from "node:http";
import type { AddressInfo } from "node:net";
import next from "next";
import { assertServable, type WebConfig } from "./web-config";
import { CLIENT_ADDRESS_HEADER, recordListener } from "./web-listener";

export interface DashboardServer {
  server: http.Server;
  address: string;
  port: number;
  close(): Promise<void>;
}

export async function startDashboardServer(
  config: WebConfig,
  options: { dev: boolean; dir: string },
): Promise<DashboardServer> {
  const host = config.FLEETDECK_WEB_HOST;
  const port = config.FLEETDECK_WEB_PORT;
  const app = next({ dev: options.dev, dir: options.dir, hostname: host, port });
  const handle = app.getRequestHandler();
  await app.prepare();
  const server = http.createServer((req, res) => {
    req.headers[CLIENT_ADDRESS_HEADER] = req.socket.remoteAddress ?? "unknown";
    void handle(req, res);
  });
  if (options.dev) {
    const upgrade = app.getUpgradeHandler();
    server.on("upgrade", (req, socket, head) => void upgrade(req, socket, head));
  }
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  try {
    // What the socket is, not what the variables said: a host name resolving elsewhere, or a
    // wildcard, without a login is refused here.
    assertServable(config, bound.address);
  } catch (error) {
    server.close();
    throw error;
  }
  recordListener(bound.address, bound.port);
  return {
    server,
    address: bound.address,
    port: bound.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
