"use client";

import { useQuery } from "@tanstack/react-query";
import type { DiffPart, SendDetailDto } from "@/server/queries/metadata";
import { queryKeys } from "@/components/live/query-keys";
import { Card } from "@/components/ui/card";
import { RelativeTime } from "@/components/ui/relative-time";
import { fetchJson } from "@/components/live/fetch-json";

const CONTEXT = 3;

/** Diff lines, with long unchanged stretches folded to a few lines of context. */
function DiffView({ parts }: { parts: DiffPart[] }) {
  const lines = parts.flatMap((p) =>
    p.text
      .replace(/\n$/, "")
      .split("\n")
      .map((text) => ({ kind: p.kind, text })),
  );
  const changed = lines.map((l) => l.kind !== "same");
  const near = (i: number) => changed.slice(Math.max(0, i - CONTEXT), i + CONTEXT + 1).some(Boolean);
  const out: ({ kind: DiffPart["kind"]; text: string } | { fold: number })[] = [];
  lines.forEach((line, i) => {
    if (line.kind !== "same" || near(i)) out.push(line);
    else {
      const last = out[out.length - 1];
      if (last && "fold" in last) last.fold++;
      else out.push({ fold: 1 });
    }
  });
  const style = {
    added: "bg-emerald-50 text-emerald-900",
    removed: "bg-rose-50 text-rose-900",
    same: "text-slate-700",
  };
  const sign = { added: "+", removed: "-", same: " " };
  return (
    <pre
      className="overflow-x-auto rounded-md border border-slate-200 bg-white p-2 text-xs leading-5"
      data-testid="payload-diff"
    >
      {out.map((line, i) =>
        "fold" in line ? (
          <div key={i} className="text-slate-400">
            … {line.fold} unchanged line{line.fold === 1 ? "" : "s"}
          </div>
        ) : (
          <div key={i} className={style[line.kind]} data-diff={line.kind}>
            {sign[line.kind]} {line.text}
          </div>
        ),
      )}
    </pre>
  );
}

/** One send: what was sent (readable and raw) and how it differs from the previous send of the same object. */
export function PayloadViewer({ id, onClose }: { id: number; onClose: () => void }) {
  const { data, error, isPending } = useQuery({
    queryKey: queryKeys.metadataSend(id),
    queryFn: () => fetchJson<SendDetailDto>(`/api/metadata/sends/${id}`),
    staleTime: Infinity,
  });
  return (
    <Card
      className="mt-4"
      title={data ? `Send #${id}: ${data.send.kind} ${data.send.object}` : `Send #${id}`}
      actions={
        <button type="button" onClick={onClose} className="text-sm text-slate-600 hover:underline">
          Close
        </button>
      }
    >
      <section aria-label="Payload viewer" data-testid="payload-viewer">
        {isPending && <p className="text-sm text-slate-500">Loading…</p>}
        {error && (
          <p role="alert" className="text-sm text-rose-800">
            {error.message}
          </p>
        )}
        {data && (
          <>
            <p className="mb-3 text-sm text-slate-600">
              {data.send.reason}, attempt {data.send.attempt}, {data.send.status}
              {data.send.httpStatus !== null && ` (HTTP ${data.send.httpStatus})`},{" "}
              <RelativeTime iso={data.send.at} />
              {data.send.error && <span className="block text-rose-800">{data.send.error}</span>}
            </p>
            {data.payloadNotKept ? (
              <p className="text-sm text-slate-600" data-testid="payload-not-kept">
                {data.send.sizeBytes.toLocaleString("en")} bytes were sent; the payload was not kept: it is
                larger than the send log&apos;s per-row budget, or older than what its total budget keeps
                (FLEETDECK_METADATA_SEND_LOG_MAX_PAYLOAD_BYTES, FLEETDECK_METADATA_SEND_LOG_MAX_TOTAL_BYTES).
              </p>
            ) : !data.payload ? (
              <p className="text-sm text-slate-600">Nothing was sent.</p>
            ) : data.diffSkipped ? (
              <>
                <p className="mb-2 text-sm text-slate-600" data-testid="diff-skipped">
                  Changes since send #{data.previous!.id}: {data.diffSkipped}.
                </p>
                <div className="grid gap-2 lg:grid-cols-2">
                  {[
                    { title: `Send #${data.previous!.id} (before)`, text: data.previousView ?? "" },
                    { title: `Send #${id} (this one)`, text: data.view },
                  ].map((side) => (
                    <div key={side.title}>
                      <h3 className="mb-1 text-xs font-semibold uppercase text-slate-500">{side.title}</h3>
                      <pre className="max-h-96 overflow-auto rounded-md border border-slate-200 bg-white p-2 text-xs leading-5">
                        {side.text}
                      </pre>
                    </div>
                  ))}
                </div>
              </>
            ) : data.diff ? (
              <>
                <h3 className="mb-1 text-xs font-semibold uppercase text-slate-500">
                  Changes since send #{data.previous!.id} ({data.previous!.reason}, {data.previous!.status},{" "}
                  <RelativeTime iso={data.previous!.at} />)
                </h3>
                <DiffView parts={data.diff} />
              </>
            ) : (
              <>
                <h3 className="mb-1 text-xs font-semibold uppercase text-slate-500">
                  First send of this object
                </h3>
                <pre className="overflow-x-auto rounded-md border border-slate-200 bg-white p-2 text-xs leading-5">
                  {data.view}
                </pre>
              </>
            )}
            {data.payload && (
              <details className="mt-3">
                <summary className="cursor-pointer text-sm text-slate-600">Raw JSON as sent</summary>
                <pre className="mt-1 max-h-96 overflow-auto rounded-md border border-slate-200 bg-slate-50 p-2 text-xs">
                  {JSON.stringify(JSON.parse(data.payload), null, 2)}
                </pre>
              </details>
            )}
          </>
        )}
      </section>
    </Card>
  );
}
