// CPU seconds and RSS of a process and its descendants, read from /proc: CPU at the start and
// the end of a window, RSS sampled during it (peak and mean). Works for any process, so the
// Node controller and a Go binary are measured the same way.
import { execFileSync } from "node:child_process";
import fs from "node:fs";

const CLK_TCK = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

interface Stat {
  ppid: number;
  /** utime + stime of the process, plus cutime + cstime of its children already reaped. */
  cpuTicks: number;
}

function readStat(pid: number): Stat | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // comm may hold spaces and parentheses: fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    // fields[0] is field 3 (state): ppid is field 4, utime..cstime fields 14..17.
    const num = (field: number) => Number(fields[field - 3]);
    return { ppid: num(4), cpuTicks: num(14) + num(15) + num(16) + num(17) };
  } catch {
    return undefined;
  }
}

function readStatusKb(pid: number, field: "VmRSS" | "VmHWM"): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(
      fs.readFileSync(`/proc/${pid}/status`, "utf8"),
    );
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** `root` and every live descendant. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(Number(entry));
    children.set(stat.ppid, list);
  }
  const tree: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    tree.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** CPU seconds used so far by `root` and its descendants. */
export function cpuSeconds(root: number): number {
  let ticks = 0;
  for (const pid of processTree(root)) ticks += readStat(pid)?.cpuTicks ?? 0;
  return ticks / CLK_TCK;
}

/** Resident set of `root` and its descendants, in MB (VmHWM: each one's own peak so far). */
export function rssMb(root: number, field: "VmRSS" | "VmHWM" = "VmRSS"): number {
  let kb = 0;
  for (const pid of processTree(root)) kb += readStatusKb(pid, field);
  return kb / 1024;
}

export interface UsageWindow {
  cpuSeconds: number;
  /** The higher of the sampled peak and the kernel's high-water mark (VmHWM) of the tree. */
  rssPeakMb: number;
  rssSampledPeakMb: number;
  rssHighWaterMb: number;
  rssMeanMb: number;
  rssSamples: number;
  /** [ms since the window opened, RSS MB] every sample, for the results file. */
  rssSeries: [number, number][];
  seconds: number;
}

/**
 * Samples `root`'s RSS every `everyMs` until stop(); CPU is the difference between the ends.
 * `sinceSpawn`: count CPU from the process's start (it was started for this window), not from now.
 */
export class UsageSampler {
  private readonly startedAt = Date.now();
  private readonly cpuAtStart: number;
  private readonly series: [number, number][] = [];
  private readonly timer: NodeJS.Timeout;
  private marks: Record<string, number> = {};

  constructor(
    readonly root: number,
    { everyMs = 200, sinceSpawn = false }: { everyMs?: number; sinceSpawn?: boolean } = {},
  ) {
    this.cpuAtStart = sinceSpawn ? 0 : cpuSeconds(root);
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  /** Records the CPU seconds used since the start at a named moment (e.g. "ready"). */
  mark(name: string): void {
    this.marks[name] = cpuSeconds(this.root) - this.cpuAtStart;
  }

  get cpuMarks(): Record<string, number> {
    return { ...this.marks };
  }

  stop(): UsageWindow {
    clearInterval(this.timer);
    this.sample();
    const cpu = cpuSeconds(this.root) - this.cpuAtStart;
    const highWater = rssMb(this.root, "VmHWM");
    const values = this.series.map(([, mb]) => mb);
    return {
      cpuSeconds: cpu,
      rssPeakMb: Math.max(highWater, ...values),
      rssSampledPeakMb: Math.max(...values),
      rssHighWaterMb: highWater,
      rssMeanMb: values.reduce((a, b) => a + b, 0) / values.length,
      rssSamples: values.length,
      rssSeries: this.series.map(([t, mb]) => [t, Math.round(mb * 10) / 10]),
      seconds: (Date.now() - this.startedAt) / 1000,
    };
  }

  private sample(): void {
    const mb = rssMb(this.root);
    if (mb > 0) this.series.push([Date.now() - this.startedAt, mb]);
  }
}
