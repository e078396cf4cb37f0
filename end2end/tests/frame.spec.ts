import { test, expect, type Page } from '@playwright/test';
import { signIn, type Ui } from './helpers';

const VICTOR = { address: 'victor@example.com', password: 'victor-e2e-password' };

/**
 * Every request the message frame makes to the probe's port. (With
 * JavaScript the page also lays out a hidden copy of the body to measure
 * it, whose requests come from the page itself: those are not counted.)
 */
function probes(page: Page): string[] {
  const seen: string[] = [];
  page.on('request', (r) => {
    if (r.url().startsWith('http://127.0.0.1:9/') && r.frame() !== page.mainFrame()) {
      seen.push(new URL(r.url()).pathname);
    }
  });
  return seen;
}

// The message body is a sandboxed frame. These tests prove that the suite
// can see what that frame loads (the other "nothing remote" tests rely on
// it), and that "Show images" unblocks a newsletter's images, CSS
// backgrounds included.
test('the message frame loads nothing remote until asked, then its images and backgrounds', async ({ page }, info) => {
  const ui: Ui = info.project.name === 'js-off' ? 'basic' : 'standard';
  const seen = probes(page);
  await signIn(page, VICTOR, ui);
  await page.getByRole('link', { name: 'Frame probe' }).click();
  const frame = page.frameLocator('iframe[title="Message body"]');
  await expect(frame.getByText("This week's news.")).toBeVisible();
  await page.waitForTimeout(500);
  expect(seen, 'blocked until asked').toEqual([]);

  await page.getByRole('link', { name: 'Show images' }).click();
  await expect(frame.getByText("This week's news.")).toBeVisible();
  await expect.poll(() => [...new Set(seen)].sort(), { timeout: 10_000 }).toEqual([
    '/background-probe.png',
    '/image-probe.png',
  ]);
});

// A display name that is itself an address other than the sender's is how
// phishing dresses up: the real address is shown first in the list and the
// reader says so.
test('a sender name that pretends to be another address shows the real one', async ({ page }, info) => {
  const ui: Ui = info.project.name === 'js-off' ? 'basic' : 'standard';
  await signIn(page, VICTOR, ui);
  const row = page.getByRole('row', { name: /Invoice overdue/ });
  await expect(row.getByRole('cell', { name: /^do-not-reply@elsewhere\.example/ })).toBeVisible();
  await row.getByRole('link', { name: 'Invoice overdue' }).click();
  await expect(
    page.getByRole('note').filter({ hasText: 'shows the address purchasing@trusted.example, but this message came from do-not-reply@elsewhere.example' }),
  ).toBeVisible();
});

/** The message frame's height on the page, and its content's height. */
async function frameHeights(page: Page) {
  const frameEl = page.locator('iframe[title="Message body"]');
  await expect(frameEl).toBeVisible();
  const outer = (await frameEl.boundingBox())!.height;
  const inner = page.frames().find((f) => f !== page.mainFrame())!;
  const content = await inner.evaluate(() => document.documentElement.scrollHeight);
  return { outer, content };
}

// The frame is as tall as its message: a short one leaves no empty box, a
// long one does not scroll in a small box inside the page.
test('the message frame fits its content', async ({ page }, info) => {
  const ui: Ui = info.project.name === 'js-off' ? 'basic' : 'standard';
  await signIn(page, VICTOR, ui);
  await page.getByRole('link', { name: 'Frame probe' }).click();
  const short = await frameHeights(page);
  expect(short.outer).toBeLessThan(400);
  expect(short.outer).toBeGreaterThanOrEqual(short.content - 30);

  await page.goBack();
  await page.getByRole('link', { name: 'Long newsletter' }).click();
  const frame = page.frameLocator('iframe[title="Message body"]');
  await expect(frame.getByText('The end of the newsletter.')).toBeAttached();
  if (ui === 'standard') {
    // Measured: the whole message without scrolling inside the frame.
    await expect
      .poll(async () => {
        const h = await frameHeights(page);
        return h.outer >= h.content && h.outer <= h.content + 60;
      })
      .toBe(true);
  } else {
    // Estimated on the server: tall, and within a fair margin.
    const long = await frameHeights(page);
    expect(long.outer).toBeGreaterThan(long.content * 0.6);
    expect(long.outer).toBeLessThan(long.content * 1.8);
  }
});
