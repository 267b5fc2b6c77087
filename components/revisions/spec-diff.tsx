"use client";

import { diffLines } from "diff";
import { stringify } from "yaml";

/** YAML with keys sorted, so two specs diff by content, not by key order. */
export function toYaml(spec: unknown): string {
  return stringify(spec ?? {}, { sortMapEntries: true });
}

type Line = { kind: "added" | "removed" | "same" | "skipped"; text: string };

const CONTEXT = 3;

/** Diff lines, with long unchanged stretches folded to a few lines of context. */
export function diffSpecLines(from: unknown, to: unknown): Line[] {
  const parts = diffLines(toYaml(from), toYaml(to));
  const lines: Line[] = [];
  parts.forEach((part, index) => {
    const texts = part.value.replace(/\n$/, "").split("\n");
    if (part.added || part.removed) {
      for (const text of texts) lines.push({ kind: part.added ? "added" : "removed", text });
      return;
    }
    const first = index === 0;
    const last = index === parts.length - 1;
    const head = first ? 0 : CONTEXT;
    const tail = last ? 0 : CONTEXT;
    if (texts.length <= head + tail + 1) {
      for (const text of texts) lines.push({ kind: "same", text });
      return;
    }
    for (const text of texts.slice(0, head)) lines.push({ kind: "same", text });
    lines.push({ kind: "skipped", text: `⋯ ${texts.length - head - tail} unchanged lines` });
    for (const text of texts.slice(texts.length - tail)) lines.push({ kind: "same", text });
  });
  return lines;
}

const LOOK = {
  added: { sign: "+", className: "bg-emerald-50 text-emerald-900" },
  removed: { sign: "-", className: "bg-rose-50 text-rose-900" },
  same: { sign: " ", className: "text-slate-600" },
  skipped: { sign: " ", className: "italic text-slate-400" },
} as const;

/** What changes from one spec to another, as a unified YAML diff. */
export function SpecDiff({
  from,
  to,
  fromLabel,
  toLabel,
}: {
  from: unknown;
  to: unknown;
  fromLabel: string;
  toLabel: string;
}) {
  const lines = diffSpecLines(from, to);
  const added = lines.filter((l) => l.kind === "added").length;
  const removed = lines.filter((l) => l.kind === "removed").length;
  return (
    <figure data-testid="spec-diff" className="space-y-2">
      <figcaption className="text-xs text-slate-600">
        <span className="font-mono">{fromLabel}</span> → <span className="font-mono">{toLabel}</span>:{" "}
        {added + removed === 0 ? (
          "no differences"
        ) : (
          <>
            <span className="text-emerald-700">+{added}</span>{" "}
            <span className="text-rose-700">−{removed}</span> lines
          </>
        )}
      </figcaption>
      {added + removed > 0 && (
        <pre className="max-h-96 overflow-auto rounded-md border border-slate-200 bg-white py-2 font-mono text-xs leading-5">
          {lines.map((line, i) => (
            <div key={i} data-kind={line.kind} className={`px-3 ${LOOK[line.kind].className}`}>
              <span aria-hidden className="mr-2 select-none">
                {LOOK[line.kind].sign}
              </span>
              <span className="sr-only">
                {line.kind === "added" ? "added: " : line.kind === "removed" ? "removed: " : ""}
              </span>
              {line.text}
            </div>
          ))}
        </pre>
      )}
    </figure>
  );
}
