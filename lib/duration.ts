// Go's duration syntax ("90s", "1m30s", "500ms", "2h"), used by the settings named after the
// Datadog agent's keys, which take Go durations.
const UNITS_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;

/** Milliseconds of a Go duration; throws a message naming the problem when it is not one. */
export function parseGoDuration(text: string): number {
  const value = text.trim();
  if (value === "0") return 0;
  let sign = 1;
  let rest = value;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    sign = rest.startsWith("-") ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === "") throw new Error(`"${text}" is not a duration (e.g. 30s, 1m, 1m30s, 500ms)`);
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < rest.length) {
    const start = PART.lastIndex;
    const match = PART.exec(rest);
    if (!match || match.index !== start) {
      throw new Error(`"${text}" is not a duration (e.g. 30s, 1m, 1m30s, 500ms)`);
    }
    total += Number(match[1]) * UNITS_MS[match[2]!]!;
  }
  return sign * total;
}

/** "1m30s"-style text for a number of milliseconds (whole seconds above one second). */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let seconds = Math.round(ms / 1000);
  const h = Math.floor(seconds / 3600);
  seconds -= h * 3600;
  const m = Math.floor(seconds / 60);
  seconds -= m * 60;
  return `${h ? `${h}h` : ""}${m ? `${m}m` : ""}${seconds || (!h && !m) ? `${seconds}s` : ""}`;
}
