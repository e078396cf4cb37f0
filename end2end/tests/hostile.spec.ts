import { test, expect } from '@playwright/test';
import { signIn } from './helpers';

// Every message of testdata/eml/hostile is delivered to ivan (serve.sh) and
// opened here. The test fails if any script runs (a dialog, console output
// from a script, the canary set, a navigation away) or if any request leaves
// for a host other than this server while images are blocked.
test('hostile mail runs no script and loads nothing remote', async ({ page }, info) => {
  test.setTimeout(300_000);
  const ui = info.project.name === 'js-off' ? 'basic' : 'standard';
  const problems: string[] = [];
  let current = '';
  page.on('dialog', async (d) => {
    problems.push(`${current}: dialog ${d.type()} ${d.message()}`);
    await d.dismiss();
  });
  page.on('console', (m) => {
    const t = m.text();
    // The browser's own reports of what it refused are expected.
    if (/^(Refused to|Failed to load resource|Blocked script execution|Unsafe attempt)/.test(t)) return;
    if (m.type() === 'error' && /Content Security Policy/.test(t)) return;
    problems.push(`${current}: console ${m.type()}: ${t}`);
  });
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.protocol === 'data:' || url.protocol === 'about:' || url.protocol === 'blob:') return;
    if (url.hostname !== '127.0.0.1') problems.push(`${current}: request to ${r.url()}`);
  });
  await page.addInitScript(() => {
    (window as unknown as { __canary: number }).__canary = 0;
  });

  await signIn(page, { address: 'ivan@example.com', password: 'ivan-e2e-password' }, ui);
  const prefix = ui === 'basic' ? '/basic' : '';
  const hrefs: string[] = [];
  for (let p = 1; p <= 10; p++) {
    await page.goto(`${prefix}/mail?folder=INBOX&sort=date&dir=desc&page=${p}`);
    const found = await page.locator('table tbody td.col-subject a').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
    hrefs.push(...found);
    if (found.length < 50) break;
  }
  expect(hrefs.length).toBeGreaterThanOrEqual(100);
  for (const href of hrefs) {
    current = href;
    const started = Date.now();
    await page.goto(href, { timeout: 60_000 });
    const took = Date.now() - started;
    if (took > 5000) console.log(`slow: ${href} took ${took} ms`);
    await expect(page.getByRole('region', { name: 'Message body' })).toBeAttached();
    expect(new URL(page.url()).pathname).toBe(`${prefix}/mail/message`);
    if (ui === 'standard') {
      const canary = await page.evaluate(() => (window as unknown as { __canary: number }).__canary);
      if (canary !== 0) problems.push(`${href}: canary changed to ${canary}`);
    }
  }
  expect(problems, problems.join('\n')).toEqual([]);
});
