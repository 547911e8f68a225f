import { defineConfig } from "@playwright/test";

// Browser tests against the real tandem binary (built by e2e/global-setup.ts with the app
// embedded), in Debian's Chromium: Playwright's own browser downloads are not used.
export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results/artifacts",
  globalSetup: "./e2e/global-setup.ts",
  tsconfig: "./tsconfig.json",
  // One server per test on its own port and database, so tests may run side by side: two at a
  // time on a 2-core CI box (they mostly wait on timers and the network; three starve the
  // heaviest — axe, the demo, a day of 20 000 calls — there); PW_WORKERS overrides.
  workers: Number(process.env.PW_WORKERS) || 2,
  fullyParallel: false,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI ? [["list"]] : [["list"]],
  use: {
    viewport: { width: 1280, height: 720 },
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    actionTimeout: 15_000,
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
});
