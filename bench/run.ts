// npm run bench -- NAME: runs bench/NAME.ts against the real stack, writes
// bench/results/NAME.json and prints `BENCH NAME key=value ...` as the last line.
import fs from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../testing/paths";
import type { BenchResult } from "./types";

const name = process.argv[2];
if (!name || !/^[a-z0-9-]+$/.test(name) || !fs.existsSync(path.join(REPO_ROOT, "bench", `${name}.ts`))) {
  const available = fs
    .readdirSync(path.join(REPO_ROOT, "bench"))
    .filter(
      (f) =>
        f.endsWith(".ts") &&
        ![
          "run.ts",
          "types.ts",
          "stats.ts",
          "stack.ts",
          "util.ts",
          "metadata-stack.ts",
          "peer-operator.ts",
          "proc-usage.ts",
          "reconciled.ts",
          "floor-watcher.ts",
        ].includes(f) &&
        !f.includes(".test."),
    )
    .map((f) => f.replace(/\.ts$/, ""));
  console.error(`usage: npm run bench -- NAME (one of: ${available.join(", ")})`);
  process.exit(2);
}

const started = new Date();
const bench = (await import(path.join(REPO_ROOT, "bench", `${name}.ts`))) as {
  run: () => Promise<BenchResult>;
};
const result = await bench.run();
const resultsDir = path.join(REPO_ROOT, "bench", "results");
fs.mkdirSync(resultsDir, { recursive: true });
fs.writeFileSync(
  path.join(resultsDir, `${name}.json`),
  JSON.stringify(
    { name, startedAt: started.toISOString(), finishedAt: new Date().toISOString(), ...result },
    null,
    2,
  ) + "\n",
);
const line = Object.entries(result.summary)
  .map(([key, value]) => `${key}=${typeof value === "number" ? round(value) : value}`)
  .join(" ");
console.log(`BENCH ${name} ${line}`);
process.exit(0);

function round(value: number): number {
  return Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 100) / 100;
}
