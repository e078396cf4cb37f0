// The test SMTP relay: a real aiosmtpd (from PyPI, installed by
// scripts/setup.sh) on the loopback port that playwright.config.ts chose
// (E2E_SMTP_PORT) and serve.sh configured as the server's relay. The server
// never starts it: a spec starts it when it wants mail to leave, and may
// stop it to see mail wait in the queue.
//
// What it receives is stored as a Maildir under E2E_SMTP_DIR. aiosmtpd's
// Mailbox handler adds X-Peer, X-MailFrom and X-RcptTo headers (the
// envelope) and re-serialises the message, so compare headers and text, not
// bytes.
//
// One relay serves the whole run, and both projects (JavaScript on and off)
// run in parallel against it: tell your messages apart by a unique subject
// or recipient, and run specs that stop the relay serially.

import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

function port(): number {
  const p = Number(process.env.E2E_SMTP_PORT);
  if (!p) throw new Error('E2E_SMTP_PORT is not set (playwright.config.ts sets it)');
  return p;
}

function maildir(): string {
  const dir = process.env.E2E_SMTP_DIR;
  if (!dir) throw new Error('E2E_SMTP_DIR is not set (playwright.config.ts sets it)');
  return path.join(dir, 'maildir');
}

/** Whether something accepts connections on the relay port. */
function accepting(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port: port() });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.setTimeout(1000, () => done(false));
  });
}

let relay: ChildProcess | undefined;
let output = '';

process.once('exit', () => relay?.kill('SIGKILL'));

/**
 * Starts the relay and resolves once its port accepts connections. If
 * another worker's relay is already listening, that one is used.
 */
export async function startRelay(timeoutMs = 15_000): Promise<void> {
  if (await accepting()) return;
  if (!relay || relay.exitCode !== null || relay.signalCode !== null) {
    output = '';
    relay = spawn(
      'python3',
      [
        '-m',
        'aiosmtpd',
        '-n',
        '-l',
        `127.0.0.1:${port()}`,
        // Room for the largest message (25 MB of attachments, base64-encoded).
        '-s',
        String(64 * 1024 * 1024),
        '-c',
        'aiosmtpd.handlers.Mailbox',
        maildir(),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    relay.stdout?.on('data', (d) => (output += d));
    relay.stderr?.on('data', (d) => (output += d));
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await accepting()) return;
    if (relay.exitCode !== null) {
      // Lost a race with another worker's relay: use that one.
      if (await accepting()) return;
      throw new Error(`aiosmtpd exited with ${relay.exitCode}: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`aiosmtpd did not accept on port ${port()} within ${timeoutMs} ms: ${output}`);
}

/** Stops the relay this worker started (if any) and waits until it is gone. */
export async function stopRelay(): Promise<void> {
  const child = relay;
  relay = undefined;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await gone;
  clearTimeout(timer);
}

/** Every message the relay has received so far, raw, oldest first. */
export function receivedMessages(): string[] {
  const files: { file: string; mtime: number }[] = [];
  for (const sub of ['new', 'cur']) {
    const dir = path.join(maildir(), sub);
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir)) {
      const file = path.join(dir, name);
      files.push({ file, mtime: fs.statSync(file).mtimeMs });
    }
  }
  files.sort((a, b) => a.mtime - b.mtime || a.file.localeCompare(b.file));
  return files.map(({ file }) => fs.readFileSync(file, 'utf8'));
}
