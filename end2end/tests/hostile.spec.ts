import { test, expect, type Page } from '@playwright/test';
import { signIn } from './helpers';

/** Records what must never happen on a page showing hostile mail. */
function watch(page: Page) {
  const state = { current: '', problems: [] as string[] };
  page.on('dialog', async (d) => {
    state.problems.push(`${state.current}: dialog ${d.type()} ${d.message()}`);
    await d.dismiss();
  });
  page.on('console', (m) => {
    const t = m.text();
    // The browser's own reports of what it refused are expected.
    if (/^(Refused to|Failed to load resource|Blocked script execution|Unsafe attempt)/.test(t)) return;
    if (m.type() === 'error' && /Content Security Policy/.test(t)) return;
    state.problems.push(`${state.current}: console ${m.type()}: ${t}`);
  });
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.protocol === 'data:' || url.protocol === 'about:' || url.protocol === 'blob:') return;
    if (url.hostname !== '127.0.0.1') state.problems.push(`${state.current}: request to ${r.url()}`);
  });
  return state;
}

/** The links to every message in ivan's Inbox. */
async function hostileLinks(page: Page, prefix: string): Promise<string[]> {
  const hrefs: string[] = [];
  for (let p = 1; p <= 10; p++) {
    await page.goto(`${prefix}/mail?folder=INBOX&sort=date&dir=desc&page=${p}`);
    const found = await page.locator('table tbody td.col-subject a').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
    hrefs.push(...found);
    if (found.length < 50) break;
  }
  expect(hrefs.length).toBeGreaterThanOrEqual(100);
  return hrefs;
}

const IVAN = { address: 'ivan@example.com', password: 'ivan-e2e-password' };

// Reply and forward put the original into the compose form (in the
// standard interface, into the editor's own document): nothing of it may
// run, navigate or fetch.
for (const mode of ['reply', 'forward'] as const) {
  test(`a ${mode} to hostile mail runs no script and loads nothing remote`, async ({ page }, info) => {
    test.setTimeout(600_000);
    const ui = info.project.name === 'js-off' ? 'basic' : 'standard';
    const prefix = ui === 'basic' ? '/basic' : '';
    const state = watch(page);
    await page.addInitScript(() => {
      (window as unknown as { __canary: number }).__canary = 0;
    });
    await signIn(page, IVAN, ui);
    const uids = (await hostileLinks(page, prefix)).map((h) => new URL(h, 'http://x').searchParams.get('uid'));
    for (const uid of uids) {
      const href = `${prefix}/mail/compose?folder=INBOX&uid=${uid}&mode=${mode}`;
      state.current = href;
      await page.goto(href, { timeout: 60_000 });
      await expect(page.getByRole('textbox', { name: 'Message' })).toBeAttached();
      if (ui === 'standard' && info.project.name === 'js-on') {
        // The editor takes the quote once hydrated.
        await expect(page.getByRole('toolbar', { name: 'Formatting' })).toBeVisible({ timeout: 15_000 });
        await page.waitForTimeout(100);
        const canary = await page.evaluate(() => (window as unknown as { __canary: number }).__canary);
        if (canary !== 0) state.problems.push(`${href}: canary changed to ${canary}`);
      }
      expect(new URL(page.url()).pathname, href).toBe(`${prefix}/mail/compose`);
    }
    expect(state.problems, state.problems.join('\n')).toEqual([]);
  });
}

// Every message of testdata/eml/hostile is delivered to ivan (serve.sh) and
// opened here. The test fails if any script runs (a dialog, console output
// from a script, the canary set, a navigation away) or if any request leaves
// for a host other than this server while images are blocked.
test('hostile mail runs no script and loads nothing remote', async ({ page }, info) => {
  test.setTimeout(300_000);
  const ui = info.project.name === 'js-off' ? 'basic' : 'standard';
  const state = watch(page);
  await page.addInitScript(() => {
    (window as unknown as { __canary: number }).__canary = 0;
  });

  await signIn(page, IVAN, ui);
  const prefix = ui === 'basic' ? '/basic' : '';
  const hrefs = await hostileLinks(page, prefix);
  for (const href of hrefs) {
    state.current = href;
    const started = Date.now();
    await page.goto(href, { timeout: 60_000 });
    const took = Date.now() - started;
    if (took > 5000) console.log(`slow: ${href} took ${took} ms`);
    await expect(page.getByRole('region', { name: 'Message body' })).toBeAttached();
    expect(new URL(page.url()).pathname).toBe(`${prefix}/mail/message`);
    if (ui === 'standard') {
      const canary = await page.evaluate(() => (window as unknown as { __canary: number }).__canary);
      if (canary !== 0) state.problems.push(`${href}: canary changed to ${canary}`);
    }
  }
  expect(state.problems, state.problems.join('\n')).toEqual([]);
});
