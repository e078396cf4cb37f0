import { test, expect, type Page } from '@playwright/test';
import { signIn } from './helpers';

// Keyboard shortcuts and optimistic updates exist in the standard interface
// only. One reader of its own (see serve.sh); the tests run in order.
test.describe.configure({ mode: 'serial' });
const LENA = { address: 'lena@example.com', password: 'lena-e2e-password' };

/** Presses `?` until the wasm has hydrated and the help opens. */
async function openHelp(page: Page) {
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(async () => {
    if (!(await dialog.isVisible())) await page.keyboard.press('?');
    await expect(dialog).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  return dialog;
}

/** Signs in, waits for the keys to work, and moves to the second row. */
async function onGamma(page: Page) {
  await signIn(page, LENA, 'standard');
  await openHelp(page);
  await page.keyboard.press('Escape');
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await expect(page.getByRole('link', { name: 'Gamma notes' })).toBeFocused();
}

function row(page: Page, subject: string) {
  return page.getByRole('row', { name: new RegExp(subject) });
}

test('shortcuts move, open, flag, search and go back', async ({ page }) => {
  await signIn(page, LENA, 'standard');
  const dialog = await openHelp(page);
  await expect(dialog.getByRole('row', { name: /Delete/ })).toContainText('#');
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);

  // Newest first: Fwd: Trip report, Gamma notes, Beta plan, Alpha plan.
  await page.keyboard.press('j');
  await expect(page.getByRole('link', { name: 'Fwd: Trip report' })).toBeFocused();
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await expect(page.getByRole('link', { name: 'Beta plan' })).toBeFocused();
  await expect(row(page, 'Beta plan')).toHaveClass(/current/);
  await page.keyboard.press('k');
  await expect(page.getByRole('link', { name: 'Gamma notes' })).toBeFocused();

  // s flags at once, and again removes the flag.
  await page.keyboard.press('s');
  await expect(row(page, 'Gamma notes').getByRole('button', { name: /^Unflag/ })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByRole('status').filter({ hasText: 'Done: 1 message updated.' })).toBeVisible();
  await page.keyboard.press('s');
  await expect(row(page, 'Gamma notes').getByRole('button', { name: /^Flag/ })).toHaveAttribute('aria-pressed', 'false');

  // x selects; Enter opens; j/k step in the reader; u goes back.
  await page.keyboard.press('x');
  await expect(row(page, 'Gamma notes').getByRole('checkbox')).toBeChecked();
  await page.keyboard.press('x');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Gamma notes', level: 1 })).toBeVisible();
  await page.keyboard.press('j');
  await expect(page.getByRole('heading', { name: 'Beta plan', level: 1 })).toBeVisible();
  await page.keyboard.press('k');
  await expect(page.getByRole('heading', { name: 'Gamma notes', level: 1 })).toBeVisible();
  await page.keyboard.press('s');
  await expect(page.getByRole('button', { name: 'Unflag' })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByRole('status').filter({ hasText: 'Flagged.' })).toBeVisible();
  await page.keyboard.press('s');
  await expect(page.getByRole('button', { name: 'Flag', exact: true })).toBeVisible();
  await page.keyboard.press('u');
  await expect(page.getByRole('heading', { name: 'Inbox', level: 1 })).toBeVisible();

  // / goes to the search box, where letters are text, not shortcuts.
  await openHelp(page);
  await page.keyboard.press('Escape');
  await page.keyboard.press('/');
  await expect(page.getByLabel('Search mail')).toBeFocused();
  await page.keyboard.type('js');
  await expect(page.getByLabel('Search mail')).toHaveValue('js');
  await expect(page.locator('tr.current')).toHaveCount(0);
});

test('# deletes and ! reports spam at once; the list fills up again', async ({ page }) => {
  await onGamma(page);
  await page.keyboard.press('#');
  await expect(row(page, 'Gamma notes')).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: 'Done: 1 message updated.' })).toBeVisible();
  // The next message takes the deleted one's place under the cursor.
  await expect(row(page, 'Beta plan')).toHaveClass(/current/);
  await page.keyboard.press('!');
  await expect(page.locator('table tbody td.col-subject a')).toHaveText(['Fwd: Trip report', 'Alpha plan']);
  const pane = page.getByRole('navigation', { name: 'Folders' });
  await pane.getByRole('link', { name: /Trash/ }).click();
  await expect(row(page, 'Gamma notes')).toHaveCount(1);
  // Put it back.
  await page.getByRole('checkbox', { name: /Gamma notes/ }).check();
  await page.getByLabel('Move selected to folder').selectOption('INBOX');
  await page.getByRole('button', { name: 'Move', exact: true }).click();
  await expect(row(page, 'Gamma notes')).toHaveCount(0);
  await pane.getByRole('link', { name: /Junk/ }).click();
  await page.getByRole('checkbox', { name: /Beta plan/ }).check();
  await page.getByLabel('Move selected to folder').selectOption('INBOX');
  await page.getByRole('button', { name: 'Move', exact: true }).click();
  await pane.getByRole('link', { name: /Inbox/ }).click();
  await expect(page.locator('table tbody td.col-subject a')).toHaveText(['Fwd: Trip report', 'Gamma notes', 'Beta plan', 'Alpha plan']);
});

test('a refused action is undone and says why', async ({ page }) => {
  await signIn(page, LENA, 'standard');
  await openHelp(page);
  await page.keyboard.press('Escape');
  await page.getByRole('checkbox', { name: /Alpha plan/ }).check();
  // A folder that does not exist (deleted in another tab, say).
  await page.getByLabel('Move selected to folder').evaluate((s: HTMLSelectElement) => {
    const o = document.createElement('option');
    o.value = 'Gone';
    o.textContent = 'Gone';
    s.appendChild(o);
    s.value = 'Gone';
  });
  await page.getByRole('button', { name: 'Move', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('Nothing was changed.');
  await expect(row(page, 'Alpha plan')).toBeVisible();
  await expect(page).toHaveURL(/\/mail$/);
});

test('quick actions while the list reloads end as the last one left them', async ({ page }) => {
  await onGamma(page);
  // Five presses, each sent while the reloads of the ones before are still
  // on their way: flag, unflag, flag, unflag, flag.
  for (let i = 0; i < 5; i++) {
    await page.keyboard.press('s');
    await page.waitForTimeout(40 + 30 * i);
  }
  const flag = row(page, 'Gamma notes').getByRole('button', { name: /Flag|Unflag/ });
  await page.waitForLoadState('networkidle');
  await expect(flag).toHaveAttribute('aria-pressed', 'true');
  // And the server agrees.
  await page.reload();
  await expect(flag).toHaveAttribute('aria-pressed', 'true');
  // Clicks work the same way: unflag, flag, unflag in quick succession.
  for (let i = 0; i < 3; i++) {
    await flag.click();
    await page.waitForTimeout(50);
  }
  await page.waitForLoadState('networkidle');
  await expect(flag).toHaveAttribute('aria-pressed', 'false');
  await page.reload();
  await expect(flag).toHaveAttribute('aria-pressed', 'false');
});
