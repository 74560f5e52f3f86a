// End-to-end journeys (issue 6) in Debian's Chromium, never a downloaded browser.
// `make e2e` builds the server and the web UI, then runs this; see README.md in this folder.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: './journeys',
  globalSetup: './support/global-setup.js',
  outputDir: './test-results',
  // Every journey has its own person (a fresh ORCID iD) and its own DOIs, so they can share one
  // server; two workers fit the 2-core machines.
  fullyParallel: true,
  workers: Number(process.env.E2E_WORKERS ?? 2),
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      // Without these, Chromium keeps trying to reach Google's services, which this machine's
      // closed network refuses.
      args: ['--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    actionTimeout: 10_000,
    navigationTimeout: 15_000,
  },
});
