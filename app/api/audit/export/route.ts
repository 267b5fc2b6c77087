// The audit trail as a CSV or JSON download, with the page's filters, streamed with
// backpressure (server/export-stream.ts): rows are read from SQLite as the client takes them.
import { parseAuditFilters } from "@/components/lib/audit-filters";
import { csvRow } from "@/server/csv";
import { exportStream } from "@/server/export-stream";
import { withScope } from "@/server/scope/request";
import { allAudit } from "@/server/queries/audit";

export const dynamic = "force-dynamic";

const COLUMNS = [
  "id",
  "at",
  "actor",
  "action",
  "targetKind",
  "target",
  "commandId",
  "source",
  "details",
] as const;

export async function GET(request: Request) {
  return withScope(async (scope) => {
    const params = Object.fromEntries(new URL(request.url).searchParams);
    const format = params.format ?? "csv";
    if (format !== "csv" && format !== "json") {
      return Response.json({ error: `format must be csv or json, got "${format}"` }, { status: 400 });
    }
    const filters = parseAuditFilters(params);
    const stream = exportStream(
      allAudit(scope, filters),
      format === "csv"
        ? { head: csvRow([...COLUMNS]), row: (row) => csvRow(COLUMNS.map((c) => row[c])), tail: "" }
        : {
            head: "[\n",
            row: (row, first) => `${first ? "" : ",\n"}${JSON.stringify(row)}`,
            tail: "\n]\n",
          },
    );
    const stamp = new Date().toISOString().replaceAll(":", "").slice(0, 15);
    return new Response(stream, {
      headers: {
        "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
        "content-disposition": `attachment; filename="fleetdeck-audit-${stamp}.${format}"`,
        "cache-control": "no-store",
      },
    });
  });
}
