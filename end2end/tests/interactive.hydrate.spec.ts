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
