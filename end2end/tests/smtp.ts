// The test SMTP relay: a real aiosmtpd (from PyPI, installed by
// scripts/setup.sh) on the loopback port that playwright.config.ts chose
// (E2E_SMTP_PORT) and serve.sh configured as the server's relay. serve.sh
// starts it with the server, so it runs for the whole suite, independent of
// any Playwright worker (a worker that fails a test is replaced, and must not
// take the relay with it).
//
// What it receives is stored as a Maildir under E2E_SMTP_DIR. aiosmtpd's
// Mailbox handler adds X-Peer, X-MailFrom and X-RcptTo headers (the
// envelope) and re-serialises the message, so compare headers and text, not
// bytes.
//
// One relay serves the whole run, and both projects (JavaScript on and off)
// run in parallel against it: tell your messages apart by a unique subject
// or recipient. Only relay.spec.ts stops it, in a project of its own that runs
// after the others (playwright.config.ts).

import { spawn } from 'node:child_process';
import { expect } from '@playwright/test';
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

/**
 * The relay's pid, shared by all workers: whoever starts the relay creates
 * this file (exclusively) and writes its pid; whoever stops it kills that pid
 * and removes the file.
 */
function pidFile(): string {
  return path.join(path.dirname(maildir()), 'relay.pid');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function recordedPid(): number | undefined {
  try {
    const pid = Number(fs.readFileSync(pidFile(), 'utf8').trim());
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts the relay and resolves once its port accepts connections. If
 * another worker's relay is already running, that one is used.
 */
export async function startRelay(timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await accepting()) return;
    let fd: number | undefined;
    try {
      fd = fs.openSync(pidFile(), 'wx');
    } catch {
      // Someone else is starting it, or it died: clear a stale record.
      const pid = recordedPid();
      if (pid !== undefined && !alive(pid)) fs.rmSync(pidFile(), { force: true });
      await sleep(100);
      continue;
    }
    // Detached, with its output in a file: it outlives this worker.
    const log = path.join(path.dirname(maildir()), 'relay.log');
    const out = fs.openSync(log, 'a');
    const relay = spawn(
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
      { stdio: ['ignore', out, out], detached: true },
    );
    relay.unref();
    fs.closeSync(out);
    fs.writeSync(fd, String(relay.pid));
    fs.closeSync(fd);
    while (Date.now() < deadline) {
      if (await accepting()) return;
      if (relay.exitCode !== null) {
        fs.rmSync(pidFile(), { force: true });
        throw new Error(`aiosmtpd exited with ${relay.exitCode}: ${fs.readFileSync(log, 'utf8')}`);
      }
      await sleep(100);
    }
  }
  throw new Error(`aiosmtpd did not accept on port ${port()} within ${timeoutMs} ms`);
}

/**
 * Stops the relay, whichever worker started it, and resolves once its port
 * refuses connections.
 */
export async function stopRelay(timeoutMs = 10_000): Promise<void> {
  const pid = recordedPid();
  if (pid !== undefined && alive(pid)) process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (await accepting()) {
    if (Date.now() > deadline) {
      if (pid !== undefined && alive(pid)) process.kill(pid, 'SIGKILL');
      else throw new Error(`something else listens on the relay port ${port()}`);
    }
    await sleep(100);
  }
  fs.rmSync(pidFile(), { force: true });
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

/**
 * The raw message the relay received with this subject, once it arrives
 * (the server's queue worker looks every 2 s).
 */
export async function received(subject: string): Promise<string> {
  let found = '';
  await expect(async () => {
    found = receivedMessages().find((m) => m.includes(subject)) ?? '';
    expect(found, `no message "${subject}" at the relay yet`).not.toBe('');
  }).toPass({ timeout: 30_000, intervals: [250, 500, 1000] });
  return found;
}

/** A header of a raw message, unfolded. */
export function header(raw: string, name: string): string | undefined {
  const unfolded = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
  const line = unfolded.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(name.toLowerCase() + ':'));
  return line?.slice(name.length + 1).trim();
}
