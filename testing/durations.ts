// Where the test runs say where their time went: one JSON file per run under
// .fleetdeck/durations/ (vitest-<projects>.json, playwright.json), each file of the run with its
// duration and its tests', slowest first. Written by testing/vitest-durations.ts and
// e2e/durations-reporter.ts, which also print the slowest files of their run.
import fs from "node:fs";
import path from "node:path";
import { STATE_DIR } from "../testing/paths";

export const DURATIONS_DIR = path.join(STATE_DIR, "durations");

export interface TestDuration {
  name: string;
  state: string;
  ms: number;
}

export interface FileDuration {
  /** Relative to the repository. */
  file: string;
  project: string;
  state: string;
  /** Time of the file: importing it, its hooks and its tests (vitest), or the sum of its tests (Playwright). */
  ms: number;
  /** Of which importing the file and what it imports (vitest). */
  importMs?: number;
  tests: TestDuration[];
}

export interface RunDurations {
  run: string;
  /** The store the tests used (FLEETDECK_TEST_STORE, or the browser run's). */
  store: string;
  startedAt: string;
  /** From the start of the run (global setup included) to its end. */
  wallMs: number;
  files: FileDuration[];
}

/** Writes the run's file (slowest file first) and returns its path. */
export function writeDurations(durations: RunDurations): string {
  fs.mkdirSync(DURATIONS_DIR, { recursive: true });
  const file = path.join(DURATIONS_DIR, `${durations.run}.json`);
  const files = [...durations.files].sort((a, b) => b.ms - a.ms);
  for (const f of files) f.tests.sort((a, b) => b.ms - a.ms);
  fs.writeFileSync(file, `${JSON.stringify({ ...durations, files }, null, 2)}\n`);
  return file;
}

/** "a.test.ts 41.2 s, b.test.ts 30.0 s, …": the `count` slowest files of a run, for a log line. */
export function slowest(durations: RunDurations, count = 5): string {
  return [...durations.files]
    .sort((a, b) => b.ms - a.ms)
    .slice(0, count)
    .map((f) => `${f.file} ${(f.ms / 1000).toFixed(1)} s`)
    .join(", ");
}
