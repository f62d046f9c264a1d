import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './e2e-tests/chromium';

export const backendLogPath = 'e2e-tests/test-results/backend.log';
const sandboxLogPath = 'e2e-tests/test-results/sandbox.log';

export default defineConfig({
  testDir: 'e2e-tests',
  outputDir: 'e2e-tests/test-results/artifacts',
  timeout: 60_000,
  expect: { timeout: 20_000 },
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,
  reporter: [['list']],
  // Runs once the webServer entries below answer: waits until the catalog has
  // ingested the demo organisation, so the first guest sign-in carries the
  // guest's team.
  globalSetup: './e2e-tests/globalSetup.ts',
  webServer: [
    // The sandbox cluster with the lab's incident, as `npm start` runs it.
    {
      command: `mkdir -p e2e-tests/test-results && yarn sandbox --scenario checkout-oom --port 7008 > ${sandboxLogPath} 2>&1`,
      url: 'http://127.0.0.1:7008/version',
      reuseExistingServer: !process.env.CI,
      timeout: 60_000,
    },
    // The production build of the app, served by the backend on one port,
    // as a deployment would run it.
    {
      command: `mkdir -p e2e-tests/test-results && yarn workspace app build > e2e-tests/test-results/app-build.log 2>&1 && yarn workspace backend start --config ../../app-config.yaml --config ../../e2e-tests/app-config.e2e.yaml > ${backendLogPath} 2>&1`,
      url: 'http://127.0.0.1:7007/.backstage/health/v1/readiness',
      reuseExistingServer: !process.env.CI,
      timeout: 300_000,
    },
  ],
  use: {
    baseURL: 'http://localhost:7007',
    screenshot: 'only-on-failure',
    viewport: { width: 1280, height: 900 },
    launchOptions: chromiumLaunchOptions(),
  },
  // Every spec runs three times, to catch flaky ones. The count is set per
  // project: a command-line --repeat-each would not repeat a project that
  // another depends on.
  projects: [
    {
      name: 'chromium',
      testIgnore: /(raiseMemoryLimit|wholeStory)\.spec\.ts/,
      repeatEach: 3,
      use: { browserName: 'chromium' },
    },
    // The fix flow changes the sandbox's checkout-api: it runs once every
    // other spec has passed, and resets the sandbox before and after.
    {
      name: 'fix-flow',
      testMatch: /raiseMemoryLimit\.spec\.ts/,
      dependencies: ['chromium'],
      repeatEach: 3,
      use: { browserName: 'chromium' },
    },
    // The whole story in one session: it fixes checkout-api, switches the
    // sandbox to another scenario and back; it runs last, each run from
    // the unfixed lab.
    {
      name: 'story',
      testMatch: /wholeStory\.spec\.ts/,
      dependencies: ['fix-flow'],
      repeatEach: 3,
      use: { browserName: 'chromium' },
    },
  ],
});
