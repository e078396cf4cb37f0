import { defineConfig } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import * as os from 'node:os';

// Free loopback ports for the whole run: the server's and the SMTP relay's
// (which serve.sh starts with the server, see tests/smtp.ts). Workers inherit
// the variables, so they all talk to the same server and relay.
const freePort = () =>
  execFileSync('python3', [
    '-c',
    'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])',
  ])
    .toString()
    .trim();
if (!process.env.E2E_PORT) {
  process.env.E2E_PORT = freePort();
}
if (!process.env.E2E_SMTP_PORT) {
  let smtp = freePort();
  while (smtp === process.env.E2E_PORT) smtp = freePort();
  process.env.E2E_SMTP_PORT = smtp;
}
// Where the test relay keeps what it received (a Maildir under it).
if (!process.env.E2E_SMTP_DIR) {
  // Named here, made by serve.sh (and removed by it): the config is also
  // read by processes that never start a server.
  process.env.E2E_SMTP_DIR = path.join(os.tmpdir(), `webmail-e2e-smtp-${process.pid}-${Date.now()}`);
}
const port = process.env.E2E_PORT;
const smtpPort = process.env.E2E_SMTP_PORT;
const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(os.homedir(), '.cache', 'webmail-target');
const bin = process.env.WEBMAIL_BIN ?? path.join(targetDir, 'release', 'webmail');

export default defineConfig({
  testDir: './tests',
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 2,
  timeout: 30_000,
  reporter: [['list'], ['json', { outputFile: 'test-results/results.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: {
      // Debian's Chromium through a wrapper that keeps sandboxed frames in
      // process, so their requests are seen (see chromium.sh).
      executablePath: path.join(__dirname, 'chromium.sh'),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    trace: 'off',
  },
  projects: [
    { name: 'js-on', use: { javaScriptEnabled: true }, testIgnore: /relay\.spec\.ts$/ },
    {
      name: 'js-off',
      use: { javaScriptEnabled: false },
      // Specs that test hydration itself only make sense with JavaScript.
      testIgnore: [/\.hydrate\.spec\.ts$/, /relay\.spec\.ts$/],
    },
    // Stops the shared SMTP relay: alone, after everything else.
    {
      name: 'relay-down',
      use: { javaScriptEnabled: true },
      testMatch: /relay\.spec\.ts$/,
      dependencies: ['js-on', 'js-off'],
    },
  ],
  webServer: {
    command: `bash ./serve.sh`,
    url: `http://127.0.0.1:${port}/healthz`,
    env: {
      WEBMAIL_BIN: bin,
      E2E_PORT: port,
      E2E_SMTP_PORT: smtpPort,
      E2E_SMTP_DIR: process.env.E2E_SMTP_DIR,
    },
    reuseExistingServer: false,
    timeout: 60_000,
    // SIGTERM, so serve.sh's cleanup runs: it stops the server and the relay
    // and removes the run's data (the default, SIGKILL, leaves them behind).
    gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
