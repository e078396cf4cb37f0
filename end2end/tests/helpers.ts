import { expect, type Page } from '@playwright/test';

export const ALICE = { address: 'alice@example.com', password: 'alice-demo-1' };
export const BOB = { address: 'bob@example.com', password: 'bob-demo-2' };
export const DAVE_LOCKED = { address: 'dave@example.com', password: 'dave-e2e-password' };
export const ERIN = { address: 'erin@example.com', password: 'erin-e2e-password' };
export const FRANK_SUSPENDED = { address: 'frank@example.com', password: 'frank-e2e-password' };

export type Ui = 'standard' | 'basic';

/** Signs in through the form, choosing the interface, and waits for the mail page. */
export async function signIn(page: Page, user: { address: string; password: string }, ui: Ui = 'standard') {
  await page.goto(ui === 'basic' ? '/basic/login' : '/login');
  await page.getByLabel('Email address').fill(user.address);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByRole('radio', { name: ui === 'basic' ? /Basic/ : /Standard/ }).check();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(ui === 'basic' ? /\/basic\/mail$/ : /\/mail$/);
  await expect(page.getByRole('navigation', { name: 'Sections' })).toBeVisible();
  await expect(page.getByText(`Signed in as ${user.address}`)).toBeVisible();
}

/**
 * Ends the session on the server while the browser keeps its cookie, as
 * when a session expires or is ended elsewhere with a tab still open: the
 * cookie then names an account, but grants nothing.
 */
export async function endSessionKeepingCookie(page: Page) {
  const context = page.context();
  const cookie = (await context.cookies()).find((c) => c.name === 'webmail_session');
  expect(cookie, 'a session cookie').toBeTruthy();
  const res = await page.request.post('/api/logout');
  expect(res.status()).toBeLessThan(400);
  await context.addCookies([cookie!]);
}
