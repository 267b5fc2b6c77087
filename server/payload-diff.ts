// The diff between two sends' payload views, bounded: jsdiff's Myers diff costs O((N+M)·D)
// for N and M lines and D changed lines, so two large payloads with little in common (D close
// to N+M) are quadratic: two ~70 KB views of disjoint lines took ~25 s, blocking the
// dashboard's event loop. The diff stops at MAX_CHANGED_LINES changed lines (and never starts
// past MAX_BYTES): the page then shows both payloads instead.
import { diffLines } from "diff";

export interface DiffPart {
  kind: "added" | "removed" | "same";
  text: string;
}

export type PayloadDiff = { parts: DiffPart[] } | { skipped: string };

/** Changed lines (added plus removed) beyond which two payloads are shown side by side. */
export const MAX_CHANGED_LINES = 1_000;
/** Both views together, in UTF-16 units, beyond which no diff is tried. */
export const MAX_BYTES = 2 * 1024 * 1024;

export function diffPayloads(before: string, after: string): PayloadDiff {
  if (before.length + after.length > MAX_BYTES) {
    return { skipped: `too large to diff (${before.length + after.length} characters): here are both` };
  }
  const changes = diffLines(before, after, { maxEditLength: MAX_CHANGED_LINES });
  if (!changes) {
    return { skipped: `too different to diff (more than ${MAX_CHANGED_LINES} changed lines): here are both` };
  }
  return {
    parts: changes.map((part) => ({
      kind: part.added ? "added" : part.removed ? "removed" : "same",
      text: part.value,
    })),
  };
}
