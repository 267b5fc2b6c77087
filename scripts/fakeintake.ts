// npm run fakeintake [-- --port 8090 --host 127.0.0.1]: the fake Datadog metadata intake
// (testing/fakeintake/server.ts) on its own, e.g. for a controller started with
// DD_URL=http://127.0.0.1:8090 DD_API_KEY=placeholder.
import { startFakeIntake } from "../testing/fakeintake/server";

function flag(name: string): string | undefined {
  const args = process.argv.slice(2);
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i === -1) return undefined;
  const arg = args[i]!;
  return arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : args[i + 1];
}

const port = Number(flag("port") ?? process.env.FAKEINTAKE_PORT ?? 8090);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`fakeintake: --port must be a port number, got "${flag("port")}"`);
  process.exit(2);
}
const intake = await startFakeIntake({ host: flag("host") ?? "127.0.0.1", port });
console.log(`fake intake listening on ${intake.url}
  POST ${intake.url}/api/v1/metadata   (what the controller sends; set DD_URL=${intake.url})
  GET  ${intake.url}/fakeintake/records
  POST ${intake.url}/fakeintake/fail   {"status": 500, "times": 3, "delayMs": 0}
  POST ${intake.url}/fakeintake/reset`);
intake.onRecord((r) => {
  const meta = r.body as Record<string, Record<string, unknown>> | null;
  const crd = meta?.datadog_operator_crd_metadata;
  const helm = meta?.datadog_operator_helm_metadata;
  const what = crd
    ? `${String(crd.crd_kind)} ${String(crd.crd_namespace)}/${String(crd.crd_name)}`
    : helm
      ? `Helm ${String(helm.chart_namespace)}/${String(helm.chart_release_name)}`
      : "unknown payload";
  console.log(`${new Date(r.receivedAt).toISOString()} ${r.status} ${what} (${r.sizeBytes} B)`);
});
const stop = () => void intake.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
