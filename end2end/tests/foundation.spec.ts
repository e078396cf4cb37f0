import { test, expect } from '@playwright/test';
import { ALICE, BOB, DAVE_LOCKED, ERIN, FRANK_SUSPENDED, signIn } from './helpers';

const BAD_CREDENTIALS = /email address or password is not correct/i;

for (const ui of ['standard', 'basic'] as const) {
  const loginPath = ui === 'basic' ? '/basic/login' : '/login';
  const home = ui === 'basic' ? '/basic/mail' : '/mail';

  test.describe(`${ui} interface`, () => {
    test('a wrong password shows the message and keeps the address', async ({ page }) => {
      await page.goto(loginPath);
      await page.getByLabel('Email address').fill(ERIN.address);
      await page.getByLabel('Password', { exact: true }).fill('not-the-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByRole('alert')).toHaveText(BAD_CREDENTIALS);
      await expect(page.getByLabel('Email address')).toHaveValue(ERIN.address);
      await expect(page).toHaveURL(new RegExp(`${loginPath}\\?`));
    });

    test('an unknown user gets the very same message', async ({ page }) => {
      await page.goto(loginPath);
      await page.getByLabel('Email address').fill('nobody@example.com');
      await page.getByLabel('Password', { exact: true }).fill('whatever-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByRole('alert')).toHaveText(BAD_CREDENTIALS);
    });

    test('a locked account is told so after the right password', async ({ page }) => {
      await page.goto(loginPath);
      await page.getByLabel('Email address').fill(DAVE_LOCKED.address);
      await page.getByLabel('Password', { exact: true }).fill(DAVE_LOCKED.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByRole('alert')).toHaveText(/account is locked/i);
    });

    test('login works and lands in the chosen interface', async ({ page }) => {
      await signIn(page, ALICE, ui);
      await expect(page.getByText(`Signed in as ${ALICE.address}`)).toBeVisible();
      const nav = page.getByRole('navigation', { name: 'Sections' });
      await expect(nav.getByRole('link', { name: 'Mail' })).toHaveAttribute('aria-current', 'page');
      await expect(nav.getByRole('link', { name: 'Settings' })).toHaveAttribute('href', ui === 'basic' ? '/basic/settings' : '/settings');
      // Only sections that exist are shown.
      await expect(nav.getByRole('link')).toHaveCount(2);
    });

    test('logout ends the session; back shows nothing private', async ({ page }) => {
      await signIn(page, ALICE, ui);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await expect(page).toHaveURL(new RegExp(`${loginPath}\\?signed_out=1$`));
      await expect(page.getByRole('status')).toHaveText('You have signed out.');
      await page.goBack();
      await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
      await expect(page.getByText(ALICE.address)).toHaveCount(0);
      await page.goto(home);
      await expect(page).toHaveURL(new RegExp(`${loginPath}$`));
    });

    test('a suspended account can sign in and is told sending is suspended', async ({ page }) => {
      await signIn(page, FRANK_SUSPENDED, ui);
      await expect(page.getByRole('alert').filter({ hasText: 'Sending is suspended' })).toBeVisible();
      await expect(page.getByRole('heading', { name: 'Inbox', level: 1 })).toBeVisible();
    });

    test('display preferences switch the interface', async ({ page }) => {
      await signIn(page, BOB, ui);
      const other = ui === 'basic' ? 'standard' : 'basic';
      await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Settings' }).click();
      await expect(page.getByRole('heading', { name: 'Display preferences' })).toBeVisible();
      await page.getByRole('radio', { name: other === 'basic' ? /Basic/ : /Standard/ }).check();
      await page.getByRole('button', { name: 'Save display preferences' }).click();
      await expect(page).toHaveURL(other === 'basic' ? /\/basic\/settings\?saved=1$/ : /^[^?]*\/settings\?saved=1$/);
      await expect(page.getByRole('status')).toHaveText('Preferences saved.');
      await expect(page.getByRole('radio', { name: other === 'basic' ? /Basic/ : /Standard/ })).toBeChecked();
      // Put it back for other tests.
      await page.getByRole('radio', { name: ui === 'basic' ? /Basic/ : /Standard/ }).check();
      await page.getByRole('button', { name: 'Save display preferences' }).click();
      await expect(page.getByRole('status')).toHaveText('Preferences saved.');
    });
  });
}

test('the basic pages contain no script at all', async ({ page, request }) => {
  const login = await request.get('/basic/login');
  expect(await login.text()).not.toMatch(/<script/i);
  expect(login.headers()['content-security-policy']).toContain("script-src 'none'");

  await signIn(page, ALICE, 'basic');
  expect(await page.content()).not.toMatch(/<script/i);
  for (const path of ['/basic/mail', '/basic/settings']) {
    const res = await page.request.get(path);
    expect(res.status()).toBe(200);
    const html = await res.text();
    expect(html).toContain(ALICE.address);
    expect(html).not.toMatch(/<script/i);
  }
});

test('the standard pages carry hydration scripts under a nonce CSP', async ({ request }) => {
  const res = await request.get('/login');
  const csp = res.headers()['content-security-policy'];
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
  expect(nonce).toBeTruthy();
  expect(csp).toContain("frame-ancestors 'none'");
  expect(res.headers()['x-content-type-options']).toBe('nosniff');
  expect(res.headers()['referrer-policy']).toBe('same-origin');
  const html = await res.text();
  expect(html).toContain(`nonce="${nonce}"`);
  expect(html).toMatch(/<script type="module" nonce=/);
});

test("one user's session cannot reach another user's pages", async ({ browser }) => {
  const a = await browser.newContext();
  const b = await browser.newContext();
  const pa = await a.newPage();
  const pb = await b.newPage();
  await signIn(pa, ALICE);
  await signIn(pb, BOB);
  await expect(pa.getByText(`Signed in as ${ALICE.address}`)).toBeVisible();
  await expect(pb.getByText(`Signed in as ${BOB.address}`)).toBeVisible();
  const who = await pb.request.post('/api/current_user', { headers: { Accept: 'application/json' } });
  expect((await who.json()).address).toBe(BOB.address);
  expect(await pb.content()).not.toContain(ALICE.address);

  // Bob signs out; his old cookie must no longer open anything.
  const stolen = (await b.cookies()).find((c) => c.name === 'webmail_session');
  expect(stolen).toBeTruthy();
  await pb.getByRole('button', { name: 'Sign out' }).click();
  await expect(pb).toHaveURL(/\/login\?signed_out=1$/);
  const c = await browser.newContext();
  await c.addCookies([{ ...stolen! }]);
  const pc = await c.newPage();
  await pc.goto('/mail');
  await expect(pc).toHaveURL(/\/login$/);
  const api = await pc.request.post('/api/current_user');
  expect(api.status()).toBe(401);
  await Promise.all([a.close(), b.close(), c.close()]);
});

test('nothing private is served without a session', async ({ request }) => {
  for (const path of ['/mail', '/settings', '/basic/mail', '/basic/settings', '/no-such-page']) {
    const res = await request.get(path, { maxRedirects: 0 });
    expect(res.status(), path).toBe(303);
    expect(res.headers()['location'], path).toMatch(/\/login$/);
  }
  const api = await request.post('/api/current_user');
  expect(api.status()).toBe(401);
});

test('cross-site form posts are refused', async ({ request }) => {
  const res = await request.post('/api/login', {
    form: { address: ALICE.address, password: ALICE.password },
    headers: { Origin: 'http://evil.example', 'Sec-Fetch-Site': 'cross-site' },
    maxRedirects: 0,
  });
  expect(res.status()).toBe(403);
  expect(res.headers()['set-cookie'] ?? '').not.toContain('webmail_session=');
});

test('health and metrics answer', async ({ request }) => {
  const health = await request.get('/healthz');
  expect(health.status()).toBe(200);
  expect(await health.text()).toBe('ok\n');
  await request.get('/login');
  const metrics = await (await request.get('/metrics')).text();
  expect(metrics).toMatch(/webmail_http_requests_total\{route="\/login",method="GET",status="200"\} \d+/);
  expect(metrics).toContain('webmail_http_request_duration_seconds_bucket');
});
