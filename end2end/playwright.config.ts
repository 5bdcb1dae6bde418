// End-to-end tests: the real server (debug build, fresh SQLite database with the demo) and
// Debian's Chromium. Nothing is downloaded: the browser comes from apt.
import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const port = Number(process.env.BARAZA_E2E_PORT ?? 3107);
const dataDir = mkdtempSync(join(tmpdir(), 'baraza-e2e-'));

export default defineConfig({
  testDir: './tests',
  fullyParallel: false,
  // One story at a time: several stories write in the same demo drafts (the charter is the only
  // text co-drafters may write in), and two writing at once made each other's checks flaky.
  workers: 1,
  retries: 0,
  timeout: 30_000,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'off',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
        // The stock-binding story serves its client page through a route on the site's own
        // origin; Chromium cannot tell where such a page lives, and would keep it from loopback.
        '--disable-features=LocalNetworkAccessChecks',
      ],
    },
  },
  webServer: {
    command: '../target/debug/baraza serve --demo',
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: {
      BARAZA_ADDR: `127.0.0.1:${port}`,
      BARAZA_DATABASE_URL: `sqlite://${dataDir}/baraza.db`,
      BARAZA_SITE_ROOT: '../target/site',
      BARAZA_LOG: 'warn',
    },
  },
});
