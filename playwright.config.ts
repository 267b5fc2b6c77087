import { defineConfig, devices } from "@playwright/test";

// Debian's Chromium (apt-get install chromium); Playwright never downloads a browser here.
const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export default defineConfig({
  testDir: "e2e",
  globalSetup: "./e2e/global-setup.ts",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  // Per-file durations in .fleetdeck/durations/playwright.json (e2e/durations-reporter.ts).
  reporter: [["list"], ["./e2e/durations-reporter.ts"]],
  outputDir: ".fleetdeck/e2e-results",
  use: {
    baseURL: process.env.E2E_BASE_URL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "chromium",
      testIgnore: /(secrets-scan|fleet)\.spec\.ts/,
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          executablePath,
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
          ],
        },
      },
    },
    // After the others: a second cluster joins the shared stack (the others see one cluster).
    {
      name: "fleet",
      testMatch: /fleet\.spec\.ts/,
      dependencies: ["chromium"],
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          executablePath,
          args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"],
        },
      },
    },
    // Last: scans what every other spec (and the integration run before) left behind.
    {
      name: "secrets-scan",
      testMatch: /secrets-scan\.spec\.ts/,
      dependencies: ["fleet"],
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: { executablePath, args: ["--no-sandbox", "--disable-gpu"] },
      },
    },
  ],
});
