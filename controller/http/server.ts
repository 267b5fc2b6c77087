// /healthz, /readyz and extra routes (/metrics, the webhook) on one plain HTTP server.
import http from "node:http";
import type { ProbeServer, ReadinessCheck, ReadinessReport, RouteHandler } from "../kube/manager";
import type { Logger } from "../log";

/**
 * Readiness follows Kubernetes' own endpoints: each named check passes or says why not;
 * `?verbose` lists them. Checks are added by the components that need them, and a component
 * may leave itself out (the lazily started pod cache does, so it cannot hold readiness back).
 */
export class HealthServer implements ProbeServer {
  private readonly checks = new Map<string, ReadinessCheck>();
  private readonly routes = new Map<string, RouteHandler>();
  private readonly details = new Map<string, () => unknown>();
  private server: http.Server | undefined;

  constructor(private readonly log: Logger) {}

  addReadinessCheck(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  /** Extra JSON shown under `details` in `/readyz?verbose` (e.g. the autoscaling gate). */
  addDetails(name: string, read: () => unknown): void {
    this.details.set(name, read);
  }

  addRoute(path: string, handler: RouteHandler): void {
    this.routes.set(path, handler);
  }

  async listen(host: string, port: number): Promise<{ host: string; port: number }> {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((error: Error) => {
        this.log.error({ err: error.message, path: req.url }, "http handler failed");
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end("internal error\n");
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(port, host, () => resolve());
    });
    const address = this.server.address() as { port: number };
    return { host, port: address.port };
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === "/healthz" || url.pathname === "/livez") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
      return;
    }
    if (url.pathname === "/readyz") {
      await this.readyz(url.searchParams.has("verbose"), res);
      return;
    }
    const route = this.routes.get(url.pathname);
    if (route) {
      await route(req, res);
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
  }

  /** Every readiness check's result, as /readyz reports them. */
  async report(): Promise<ReadinessReport> {
    const checks = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        try {
          await check();
          return { name, ok: true, message: "ok" };
        } catch (error) {
          return { name, ok: false, message: (error as Error).message };
        }
      }),
    );
    return { ok: checks.every((r) => r.ok), checks };
  }

  private async readyz(verbose: boolean, res: http.ServerResponse): Promise<void> {
    const { ok, checks } = await this.report();
    if (!verbose) {
      res.writeHead(ok ? 200 : 503, { "content-type": "text/plain" });
      res.end(
        ok
          ? "ok\n"
          : checks
              .filter((r) => !r.ok)
              .map((r) => `[-]${r.name} failed: ${r.message}`)
              .join("\n") + "\n",
      );
      return;
    }
    const details = Object.fromEntries([...this.details].map(([name, read]) => [name, read()]));
    res.writeHead(ok ? 200 : 503, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: ok ? "ok" : "not ready", checks, details }, null, 2) + "\n");
  }
}
