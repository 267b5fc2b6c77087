// A Vitest reporter (beside the default one, vitest.config.ts) that writes where a run's time
// went: .fleetdeck/durations/vitest-<projects>[-postgresql][-shard-<i>-of-<n>].json, every file with its import,
// hooks and tests, slowest first (testing/durations.ts). `npm test` prints the slowest files.
import path from "node:path";
import type { Reporter, TestModule, Vitest } from "vitest/node";
import { slowest, writeDurations, type FileDuration } from "./durations";
import { REPO_ROOT } from "./paths";

export default class DurationsReporter implements Reporter {
  private startedAt = new Date();
  private run = "vitest";

  onInit(vitest: Vitest): void {
    // From here, so the global setup (the cluster, the PostgreSQL server) counts in the wall time.
    this.startedAt = new Date();
    const store = process.env.FLEETDECK_TEST_STORE ?? "sqlite";
    const projects = vitest.projects.map((p) => p.name).sort();
    // The store too when the projects' names do not say it (vitest-integration-postgresql).
    const named = store === "sqlite" || projects.some((p) => p.startsWith(store));
    // And the shard (two halves of a project run side by side, scripts/test.sh).
    const shard = vitest.config.shard;
    const part = shard ? [`shard-${shard.index}-of-${shard.count}`] : [];
    this.run = ["vitest", ...projects, ...(named ? [] : [store]), ...part].join("-");
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    if (modules.length === 0) return;
    const files: FileDuration[] = modules.map((m) => {
      const d = m.diagnostic();
      const importMs = d.environmentSetupDuration + d.prepareDuration + d.setupDuration + d.collectDuration;
      return {
        file: path.relative(REPO_ROOT, m.moduleId),
        project: m.project.name,
        state: m.state(),
        ms: Math.round(importMs + d.duration),
        importMs: Math.round(importMs),
        tests: [...m.children.allTests()].map((t) => ({
          name: t.fullName,
          state: t.result().state,
          ms: Math.round(t.diagnostic()?.duration ?? 0),
        })),
      };
    });
    const durations = {
      run: this.run,
      store: process.env.FLEETDECK_TEST_STORE ?? "sqlite",
      startedAt: this.startedAt.toISOString(),
      wallMs: Date.now() - this.startedAt.getTime(),
      files,
    };
    const file = writeDurations(durations);
    console.log(`\n[durations] ${path.relative(REPO_ROOT, file)}; slowest: ${slowest(durations)}`);
  }
}
