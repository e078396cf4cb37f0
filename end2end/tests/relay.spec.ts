import { test, expect } from '@playwright/test';
import { signIn } from './helpers';
import { header, received, startRelay, stopRelay } from './smtp';

// Stops the relay every other spec sends through, so it runs in a project of
// its own after the others have finished (playwright.config.ts), as a writer
// of its own (serve.sh).
const writer = { address: 'uma@example.com', password: 'uma-e2e-password' };

test('relay down: the message waits in the outbox, then goes when the relay is back', async ({ page }) => {
  test.setTimeout(90_000);
  const subject = `Waiting for the relay ${Date.now()}`;
  await stopRelay();
  try {
    await signIn(page, writer, 'standard');
    await page.goto('/mail/compose');
    await page.getByLabel('To', { exact: true }).fill('far@remote.test');
    await page.getByLabel('Subject').fill(subject);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await expect(page.getByRole('status').filter({ hasText: 'in the outbox' })).toBeVisible();
    const outbox = page.getByRole('region', { name: 'Outbox' });
    await expect(outbox).toContainText('Outbox: 1 waiting');
    await expect(outbox).toContainText(subject);
    await expect
      .poll(
        async () => {
          await page.reload();
          return (await outbox.textContent()) ?? '';
        },
        { timeout: 20_000 },
      )
      .toContain('Last attempt');
    // Nothing leaves while the relay is down.
    expect(await outbox.textContent()).toContain('could not talk to the relay');
  } finally {
    await startRelay();
  }
  const outbox = page.getByRole('region', { name: 'Outbox' });
  await outbox.getByRole('button', { name: 'Try again now' }).click();
  const raw = await received(subject);
  expect(header(raw, 'Subject')).toBe(subject);
  await expect
    .poll(
      async () => {
        await page.reload();
        return page.getByRole('region', { name: 'Outbox' }).count();
      },
      { timeout: 20_000 },
    )
    .toBe(0);
});
