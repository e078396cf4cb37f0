import { test, expect, type Page } from '@playwright/test';
import { signIn, type Ui } from './helpers';

// Attached messages and stepping through search results. Each project has its
// own reader (see serve.sh); the tests of this file run in order.
test.describe.configure({ mode: 'serial' });

function reader(projectName: string) {
  const local = projectName === 'js-off' ? 'kim' : 'judy';
  return { address: `${local}@example.com`, password: `${local}-e2e-password` };
}

for (const ui of ['standard', 'basic'] as Ui[]) {
  test.describe(`reading extras in the ${ui} interface`, () => {
    const prefix = ui === 'basic' ? '/basic' : '';

    test('an attached message opens on its own, with its attachments', async ({ page }, info) => {
      await signIn(page, reader(info.project.name), ui);
      await page.getByRole('link', { name: 'Fwd: Trip report' }).click();
      await expect(page.getByRole('heading', { name: 'Fwd: Trip report', level: 1 })).toBeVisible();
      const attachments = page.getByRole('region', { name: 'Attachments' });
      await expect(attachments.getByRole('link', { name: 'Trip report.eml', exact: true })).toBeVisible();
      await attachments.getByRole('link', { name: 'View attached message Trip report.eml' }).click();
      await expect(page).toHaveURL(new RegExp(`${prefix}/mail/message\\?uid=\\d+.*&part=\\d+`));
      await expect(page.getByRole('heading', { name: 'Trip report', level: 1 })).toBeVisible();
      await expect(page.getByText('The glacier was bigger than expected.')).toBeVisible();
      await expect(page.getByRole('note')).toContainText('A message attached to “Fwd: Trip report”');
      await expect(page.locator('dl.summary').getByText('Tara Nguyen <tara@example.net>')).toBeVisible();
      // Its own attachment downloads from inside the attached message.
      const route = page.getByRole('region', { name: 'Attachments' }).getByRole('link', { name: 'route.txt' });
      const res = await page.request.get((await route.getAttribute('href'))!);
      expect(res.status()).toBe(200);
      expect(res.headers()['content-disposition']).toMatch(/^attachment; filename="route.txt"/);
      expect(await res.text()).toContain('Day 1: hut to col.');
      // No actions on the attached copy: they would act on the stored message.
      await expect(page.getByRole('form', { name: 'Message actions' })).toHaveCount(0);
      await page.getByRole('link', { name: 'Back to that message' }).click();
      await expect(page.getByRole('heading', { name: 'Fwd: Trip report', level: 1 })).toBeVisible();
      // A path that leads nowhere says so.
      await page.goto(page.url() + '&part=1');
      await expect(page.getByRole('alert')).toContainText('That message is no longer here.');
    });

    test('previous and next step through search results across folders', async ({ page }, info) => {
      await signIn(page, reader(info.project.name), ui);
      await page.getByLabel('Search mail').fill('plan');
      await page.getByLabel('Search in').selectOption({ label: 'Subject' });
      await page.getByLabel('Which folders').selectOption('all');
      await page.getByRole('button', { name: 'Search' }).click();
      await expect(page.getByRole('heading', { name: 'Search: plan', level: 1 })).toBeVisible();
      await expect
        .poll(() => page.locator('table tbody td.col-subject a').allTextContents())
        .toEqual(['Delta plan (archived)', 'Beta plan', 'Alpha plan']);
      await page.getByRole('link', { name: 'Beta plan' }).click();
      const nav = page.getByRole('navigation', { name: 'Message navigation' });
      await nav.getByRole('link', { name: '‹ Previous' }).click();
      await expect(page.getByRole('heading', { name: 'Delta plan (archived)', level: 1 })).toBeVisible();
      await expect(nav.getByRole('link', { name: '‹ Previous' })).toHaveCount(0);
      await nav.getByRole('link', { name: 'Next ›' }).click();
      await nav.getByRole('link', { name: 'Next ›' }).click();
      await expect(page.getByRole('heading', { name: 'Alpha plan', level: 1 })).toBeVisible();
      await expect(nav.getByRole('link', { name: 'Next ›' })).toHaveCount(0);
      await nav.getByRole('link', { name: '← Back to the list' }).click();
      await expect(page.getByRole('heading', { name: 'Search: plan', level: 1 })).toBeVisible();
    });
  });
}

/** Phone width: the list and a message stay usable without sideways scrolling of the page. */
test('the mail screens fit a phone-width screen', async ({ page }, info) => {
  await page.setViewportSize({ width: 375, height: 740 });
  await signIn(page, reader(info.project.name), 'standard');
  const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
  expect(await fits()).toBe(true);
  await expect(page.getByRole('link', { name: 'Alpha plan' })).toBeVisible();
  await page.getByRole('link', { name: 'Alpha plan' }).click();
  await expect(page.getByRole('heading', { name: 'Alpha plan', level: 1 })).toBeVisible();
  expect(await fits()).toBe(true);
});

test('dates are shown in the time zone chosen in settings, in both interfaces', async ({ page }, info) => {
  const user = reader(info.project.name);
  const alpha = (p: Page) => p.getByRole('row', { name: /Alpha plan/ }).locator('td.col-date');
  const setZone = async (zone: string) => {
    await page.goto('/settings');
    await page.getByLabel('Time zone').selectOption(zone);
    await page.getByRole('button', { name: 'Save identity' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Preferences saved.' })).toBeVisible();
    await expect(page.getByLabel('Time zone')).toHaveValue(zone);
  };
  await signIn(page, user, 'standard');
  // Sent Mon, 02 Nov 2026 09:00 UTC; the server's default zone is UTC.
  await expect(alpha(page)).toHaveText('2026-11-02 09:00');
  try {
    await setZone('Asia/Kolkata');
    for (const prefix of ['', '/basic']) {
      await page.goto(`${prefix}/mail`);
      await expect(alpha(page)).toHaveText('2026-11-02 14:30');
      await page.getByRole('link', { name: 'Alpha plan' }).click();
      await expect(page.getByRole('heading', { name: 'Alpha plan', level: 1 })).toBeVisible();
      await expect(page.locator('dt:text-is("Date") + dd')).toHaveText('2026-11-02 14:30');
    }
    // New York had left daylight saving time the day before: UTC-5.
    await setZone('America/New_York');
    await page.goto('/mail');
    await expect(alpha(page)).toHaveText('2026-11-02 04:00');
  } finally {
    await setZone('UTC');
  }
});

test("a new user sees dates in the browser's time zone; without a script, in the server's", async ({ browser }, info) => {
  const jsOn = info.project.name !== 'js-off';
  const local = jsOn ? 'olga' : 'pete';
  const context = await browser.newContext({ timezoneId: 'Asia/Tokyo', javaScriptEnabled: jsOn });
  const page = await context.newPage();
  try {
    await page.goto('/login');
    if (jsOn) {
      // The zone is sent with the sign-in form once the page runs its script.
      await expect(page.getByRole('button', { name: 'Show password' })).toBeVisible({ timeout: 15_000 });
    }
    await page.getByLabel('Email address').fill(`${local}@example.com`);
    await page.getByLabel('Password', { exact: true }).fill(`${local}-e2e-password`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/mail$/);
    const date = page.getByRole('row', { name: /Alpha plan/ }).locator('td.col-date');
    // Mon, 02 Nov 2026 09:00 UTC is 18:00 in Tokyo.
    await expect(date).toHaveText(jsOn ? '2026-11-02 18:00' : '2026-11-02 09:00');
    await page.goto('/settings');
    await expect(page.getByLabel('Time zone')).toHaveValue(jsOn ? 'Asia/Tokyo' : 'UTC');
  } finally {
    await context.close();
  }
});
