import { test, expect } from '@playwright/test';
import { ALICE, signIn } from './helpers';

test('the standard interface hydrates: the password toggle works', async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/login');
  const password = page.getByLabel('Password', { exact: true });
  await password.fill('secret-words');
  // The toggle exists only once the wasm has hydrated the page.
  const toggle = page.getByRole('button', { name: 'Show password' });
  await expect(toggle).toBeVisible({ timeout: 15_000 });
  await expect(async () => {
    await page.getByRole('button', { name: /password/ }).click();
    await expect(password).toHaveAttribute('type', 'text', { timeout: 500 });
  }).toPass();
  await expect(page.getByRole('button', { name: 'Hide password' })).toHaveAttribute('aria-pressed', 'true');
  expect(errors, errors.join('\n')).toEqual([]);
});

test('the basic interface never loads the wasm bundle', async ({ page }) => {
  const requested: string[] = [];
  page.on('request', (r) => requested.push(r.url()));
  await signIn(page, ALICE, 'basic');
  await page.getByRole('link', { name: 'Settings' }).click();
  expect(requested.filter((u) => /\.(wasm|js)(\?|$)/.test(u))).toEqual([]);
});

test('static assets are precompressed and cached for good', async ({ page, request }) => {
  let wasmUrl = '';
  page.on('request', (r) => {
    if (r.url().endsWith('.wasm')) wasmUrl = r.url();
  });
  await page.goto('/login');
  await expect(page.getByRole('button', { name: 'Show password' })).toBeVisible({ timeout: 15_000 });
  expect(wasmUrl).toMatch(/\/pkg\/[0-9a-f]{16}\/webmail_bg\.wasm$/);
  const res = await request.get(wasmUrl, { headers: { 'Accept-Encoding': 'br' } });
  expect(res.headers()['content-encoding']).toBe('br');
  expect(res.headers()['content-type']).toBe('application/wasm');
  expect(res.headers()['cache-control']).toContain('immutable');
});

test('a folder opened while the list reloads after an action shows that folder, whatever answers first', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signIn(page, { address: 'wendy@example.com', password: 'wendy-e2e-password' }, 'standard');
  await expect(page.getByRole('heading', { name: 'Inbox', level: 1 })).toBeVisible();
  // Holds every load of the list and the folder pane until released, so
  // the reload after the action is still in flight when the user opens
  // another folder.
  const held: { url: string; go: () => Promise<void> }[] = [];
  let holding = true;
  await page.route(/\/api\/mail\/(list|folders)$/, async (route) => {
    if (holding) held.push({ url: route.request().url(), go: () => route.continue() });
    else await route.continue();
  });
  await page.getByRole('checkbox', { name: /Lunch on Friday/ }).check();
  await page.getByRole('button', { name: 'Spam' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Done: 1 message updated.' })).toBeVisible();
  await expect.poll(() => held.length).toBeGreaterThanOrEqual(2);
  const reload = held.length;
  await page.getByRole('navigation', { name: 'Folders' }).getByRole('link', { name: /Junk/ }).click();
  await expect(page).toHaveURL(/folder=Junk/);
  await expect.poll(() => held.length).toBeGreaterThanOrEqual(reload + 2);
  // The newer loads answer first, then the older ones.
  holding = false;
  for (const h of held.slice(reload)) await h.go();
  await expect(page.getByRole('heading', { name: 'Junk', level: 1 })).toBeVisible();
  await expect(page.getByRole('row', { name: /Lunch on Friday/ })).toHaveCount(1);
  for (const h of held.slice(0, reload)) await h.go();
  await page.waitForLoadState('networkidle');
  await expect(page.getByRole('heading', { name: 'Junk', level: 1 })).toBeVisible();
  await expect(page.getByRole('row', { name: /Lunch on Friday/ })).toHaveCount(1);
  await expect(page.getByRole('link', { name: /Lunch on Friday/ })).toHaveAttribute('href', /folder=Junk/);
  // Actions on the page act on the folder shown.
  await page.getByRole('checkbox', { name: /Lunch on Friday/ }).check();
  await page.getByLabel('Move selected to folder').selectOption('INBOX');
  await page.getByRole('button', { name: 'Move', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Done: 1 message updated.' })).toBeVisible();
  await expect(page.getByRole('row', { name: /Lunch on Friday/ })).toHaveCount(0);
  expect(errors, 'errors in the page').toEqual([]);
});
