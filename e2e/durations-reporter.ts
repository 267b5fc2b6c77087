// A Playwright reporter (beside the list reporter, playwright.config.ts) that writes where the
// browser run's time went: .fleetdeck/durations/playwright.json, every spec file with the sum
// of its tests (retries included) and each test, slowest first (testing/durations.ts).
import path from "node:path";
import type { FullResult, Reporter, TestCase, TestResult } from "@playwright/test/reporter";
import { slowest, writeDurations, type FileDuration } from "../testing/durations";
import { REPO_ROOT } from "../testing/paths";

export default class DurationsReporter implements Reporter {
  private readonly startedAt = new Date();
  private readonly files = new Map<string, FileDuration>();

  onTestEnd(test: TestCase, result: TestResult): void {
    const file = path.relative(REPO_ROOT, test.location.file);
    const project = test.parent.project()?.name ?? "";
    const key = `${project}:${file}`;
    let entry = this.files.get(key);
    if (!entry) {
      entry = { file, project, state: "passed", ms: 0, tests: [] };
      this.files.set(key, entry);
    }
    entry.ms += result.duration;
    entry.tests.push({
      name: test.titlePath().slice(3).join(" > "),
      state: result.status,
      ms: result.duration,
    });
    if (result.status !== "passed" && result.status !== "skipped") entry.state = "failed";
  }

  onEnd(result: FullResult): void {
    if (this.files.size === 0) return;
    const durations = {
      run: "playwright",
      store: process.env.FLEETDECK_E2E_STORE ?? "",
      startedAt: this.startedAt.toISOString(),
      wallMs: Math.round(result.duration),
      files: [...this.files.values()],
    };
    const file = writeDurations(durations);
    console.log(`\n[durations] ${path.relative(REPO_ROOT, file)}; slowest: ${slowest(durations)}`);
  }

  printsToStdio(): boolean {
    return false;
  }
}
