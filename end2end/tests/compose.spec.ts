import { test, expect, type Page } from '@playwright/test';
import { ALICE, endSessionKeepingCookie, signIn, type Ui } from './helpers';
import { header, received, startRelay } from './smtp';

// Writing and sending, against a real SMTP relay (aiosmtpd, tests/smtp.ts).
// Each project has its own writer and correspondent (serve.sh); the tests of
// this file run in order.
test.describe.configure({ mode: 'serial', timeout: 90_000 });

function people(projectName: string) {
  const [writer, reader] = projectName === 'js-off' ? ['omar', 'rita'] : ['nina', 'quinn'];
  const user = (local: string) => ({ address: `${local}@example.com`, password: `${local}-e2e-password` });
  return { writer: user(writer), reader: user(reader) };
}

let counter = 0;
function unique(label: string, info: { project: { name: string } }) {
  counter += 1;
  return `${label} ${info.project.name} ${Date.now()}-${counter}`;
}

/** Opens a new message, waiting for the editor when the page hydrates. */
async function compose(page: Page, ui: Ui, projectName: string) {
  await page.getByRole('link', { name: 'Compose' }).click();
  await expect(page.getByRole('heading', { name: 'New message', level: 1 })).toBeVisible();
  if (ui === 'standard' && projectName === 'js-on') {
    await expect(page.getByRole('toolbar', { name: 'Formatting' })).toBeVisible({ timeout: 15_000 });
  }
}

/**
 * On the sign-in page after the session ended while writing: it says the
 * message is kept, and signing in again reopens it.
 */
async function signInAgainAndFind(page: Page, writer: { address: string; password: string }, subject: string, text: string) {
  await expect(page.getByText(/message you were writing is kept/i)).toBeVisible();
  await page.getByLabel('Email address').fill(writer.address);
  await page.getByLabel('Password', { exact: true }).fill(writer.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/mail\/compose/);
  await expect(page.getByLabel('Subject')).toHaveValue(subject);
  await expect(page.getByRole('textbox', { name: 'Message' })).toContainText(text);
}

for (const ui of ['standard', 'basic'] as Ui[]) {
  test.describe(`compose in the ${ui} interface`, () => {
    const prefix = ui === 'basic' ? '/basic' : '';

    test('a message with priority, receipt request and an attachment reaches the relay', async ({ page }, info) => {
      await startRelay();
      const { writer } = people(info.project.name);
      const subject = unique('Quarterly numbers', info);
      await signIn(page, writer, ui);
      await compose(page, ui, info.project.name);
      await page.getByLabel('To', { exact: true }).fill('Dana Remote <dana@remote.test>');
      await page.getByLabel('Cc', { exact: true }).fill('eve@remote.test');
      await page.getByLabel('Bcc', { exact: true }).fill('hidden@remote.test');
      await page.getByLabel('Subject').fill(subject);
      await page.getByLabel('Priority').selectOption('high');
      await page.getByLabel('Request a read receipt').check();
      if (ui === 'basic') await page.getByLabel('Format').selectOption('simple');
      await page.getByRole('textbox', { name: 'Message' }).fill('The *numbers* are in. See the attached sheet.');
      await page.getByLabel(/Add files/).setInputFiles({
        name: 'numbers.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from('quarter,total\nQ3,1200\n'),
      });
      if (ui === 'standard' && info.project.name === 'js-on') {
        // Hydrated, picking files uploads them at once.
        await expect(page.getByRole('list', { name: 'Attached files' })).toContainText('numbers.csv');
      }
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      await expect(page).toHaveURL(new RegExp(`${prefix}/mail\\?sent=`));
      await expect(page.getByRole('status').filter({ hasText: 'Your message was sent.' })).toBeVisible();

      const raw = await received(subject);
      expect(header(raw, 'From')).toBe(writer.address);
      expect(header(raw, 'To')).toBe('Dana Remote <dana@remote.test>');
      expect(header(raw, 'Cc')).toBe('eve@remote.test');
      expect(header(raw, 'Bcc')).toBeUndefined();
      expect(header(raw, 'X-RcptTo')).toContain('hidden@remote.test');
      expect(header(raw, 'X-Priority')).toBe('1 (Highest)');
      expect(header(raw, 'Importance')).toBe('high');
      expect(header(raw, "Disposition-Notification-To")).toBe(writer.address);
      expect(header(raw, 'Message-ID')).toMatch(/^<[^@\s]+@example\.com>$/);
      expect(raw).toMatch(/Content-Type: multipart\/mixed/);
      expect(raw).toMatch(/Content-Type: multipart\/alternative/);
      expect(raw).toMatch(/Content-Type: text\/plain/);
      expect(raw).toMatch(/Content-Type: text\/html/);
      expect(raw).toMatch(/filename="?numbers\.csv"?/);

      // A copy is in Sent, with the Bcc.
      await page.getByRole('navigation', { name: 'Folders' }).getByRole('link', { name: /Sent/ }).click();
      await page.getByRole('link', { name: subject }).click();
      await page.getByText('Show all headers').click();
      await expect(page.getByRole('row', { name: /^Bcc/ })).toContainText('hidden@remote.test');
    });

    test('identity, signature, and attachments removed before sending', async ({ page }, info) => {
      await startRelay();
      const { writer } = people(info.project.name);
      await signIn(page, writer, ui);
      await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Settings' }).click();
      await page.getByLabel('Display name').fill('Nina Writer');
      await page.getByLabel('Signature').fill('Nina, team lead');
      await page.getByRole('button', { name: 'Save identity' }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Preferences saved.' })).toBeVisible();
      await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Mail' }).click();
      await compose(page, ui, info.project.name);
      await expect(page.getByText('Nina Writer')).toBeVisible();
      await expect(page.getByRole('textbox', { name: 'Message' })).toContainText('Nina, team lead');
      const subject = unique('Two files, one kept', info);
      await page.getByLabel('To', { exact: true }).fill('files@remote.test');
      await page.getByLabel('Subject').fill(subject);
      await page.getByLabel(/Add files/).setInputFiles([
        { name: 'keep.txt', mimeType: 'text/plain', buffer: Buffer.from('kept file') },
        { name: 'drop.txt', mimeType: 'text/plain', buffer: Buffer.from('dropped file') },
      ]);
      if (!(ui === 'standard' && info.project.name === 'js-on')) {
        await page.getByRole('button', { name: 'Attach', exact: true }).click();
      }
      const files = page.getByRole('list', { name: 'Attached files' });
      await expect(files).toContainText('keep.txt');
      await expect(files).toContainText('drop.txt');
      await files.getByRole('button', { name: 'Remove drop.txt' }).click();
      await expect(files).not.toContainText('drop.txt');
      await expect(files).toContainText('keep.txt');
      if (ui === 'standard' && info.project.name === 'js-on') {
        // The removal is saved at once; it stays removed once the save is back.
        await expect(page.getByText(/Draft saved at/)).toBeVisible();
        await page.waitForLoadState('networkidle');
        await expect(files).not.toContainText('drop.txt');
      }
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Your message was sent.' })).toBeVisible();
      const raw = await received(subject);
      expect(header(raw, 'From')).toBe(`Nina Writer <${writer.address}>`);
      expect(raw).toContain('keep.txt');
      expect(raw).not.toContain('drop.txt');
      expect(raw).toContain('Nina, team lead');
      // Leave the identity as it was for the other tests.
      await page.goto(`${prefix}/settings`);
      await page.getByLabel('Display name').fill('');
      await page.getByLabel('Signature').fill('');
      await page.getByRole('button', { name: 'Save identity' }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Preferences saved.' })).toBeVisible();
    });

    test('bad input gets a clear message and loses nothing', async ({ page }, info) => {
      const { writer } = people(info.project.name);
      const subject = unique('Half-finished thoughts', info);
      await signIn(page, writer, ui);
      await compose(page, ui, info.project.name);
      const body = page.getByRole('textbox', { name: 'Message' });
      // No recipient at all.
      await page.getByLabel('Subject').fill(subject);
      await body.fill('Words I do not want to type twice.');
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      await expect(page.getByRole('alert').first()).toContainText('Add at least one recipient');
      await expect(page.getByLabel('Subject')).toHaveValue(subject);
      await expect(page.getByRole('textbox', { name: 'Message' })).toContainText('Words I do not want to type twice.');
      // An address that is not one.
      await page.getByLabel('To', { exact: true }).fill('ok@remote.test, frank@@example');
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      await expect(page.getByRole('list', { name: 'Address problems' })).toContainText('“frank@@example” in To');
      await expect(page.getByLabel('To', { exact: true })).toHaveValue('ok@remote.test, frank@@example');
      await expect(page.getByRole('textbox', { name: 'Message' })).toContainText('Words I do not want to type twice.');
      // A file over the limit (2 MB in the test server).
      await page.getByLabel(/Add files/).setInputFiles({
        name: 'huge.bin',
        mimeType: 'application/octet-stream',
        buffer: Buffer.alloc(3 * 1024 * 1024, 7),
      });
      if (!(ui === 'standard' && info.project.name === 'js-on')) {
        await page.getByRole('button', { name: 'Attach', exact: true }).click();
        await expect(page.getByRole('alert').first()).toContainText('larger than 2 MB');
      } else {
        await expect(page.getByText(/larger than 2 MB/)).toBeVisible();
      }
      await expect(page.getByLabel('Subject')).toHaveValue(subject);
      await expect(page.getByRole('list', { name: 'Attached files' })).not.toContainText('huge.bin');
      // All of it is one draft in Drafts.
      await page.goto(`${prefix}/mail?folder=Drafts`);
      await expect(page.getByRole('row', { name: new RegExp(subject) })).toHaveCount(1);
    });

    test('spelling is checked on the server and a suggestion applied', async ({ page }, info) => {
      const { writer } = people(info.project.name);
      await signIn(page, writer, ui);
      await compose(page, ui, info.project.name);
      await page.getByLabel('Subject').fill(unique('Spelling', info));
      await page.getByRole('textbox', { name: 'Message' }).fill('This sentense has one mistake.');
      await page.getByRole('button', { name: 'Check spelling' }).click();
      const fixes = page.getByRole('group', { name: /word to check/ });
      await expect(fixes).toContainText('sentense');
      await fixes.getByLabel('Correction for “sentense”').selectOption('sentence');
      await page.getByRole('button', { name: 'Apply corrections' }).click();
      await expect(page.getByRole('textbox', { name: 'Message' })).toContainText('This sentence has one mistake.');
    });

    test('a read receipt goes back, and a reply is threaded and marks the original answered', async ({ page, browser }, info) => {
      const { writer, reader } = people(info.project.name);
      const subject = unique('Lunch plans', info);
      await signIn(page, writer, ui);
      await compose(page, ui, info.project.name);
      await page.getByLabel('To', { exact: true }).fill(reader.address);
      await page.getByLabel('Subject').fill(subject);
      await page.getByLabel('Request a read receipt').check();
      await page.getByRole('textbox', { name: 'Message' }).fill('Noon at the usual place?');
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Your message was sent.' })).toBeVisible();

      const other = await browser.newContext({ javaScriptEnabled: info.project.name !== 'js-off' });
      const them = await other.newPage();
      await signIn(them, reader, ui);
      await them.getByRole('link', { name: subject }).click();
      const receipt = them.getByRole('form', { name: 'Read receipt' });
      await expect(receipt).toContainText(`asked for a read receipt to ${writer.address}`);
      await receipt.getByRole('button', { name: 'Send receipt' }).click();
      await expect(them.getByRole('heading', { name: subject, level: 1 })).toBeVisible();
      await expect(them.getByRole('form', { name: 'Read receipt' })).toHaveCount(0);
      // Asked once only: opening it again does not ask.
      await them.reload();
      await expect(them.getByRole('heading', { name: subject, level: 1 })).toBeVisible();
      await expect(them.getByRole('form', { name: 'Read receipt' })).toHaveCount(0);

      await them.getByRole('link', { name: 'Reply', exact: true }).click();
      await expect(them.getByRole('heading', { name: 'Reply', level: 1 })).toBeVisible();
      await expect(them.getByLabel('To', { exact: true })).toHaveValue(writer.address);
      await expect(them.getByLabel('Subject')).toHaveValue(`Re: ${subject}`);
      if (ui === 'standard' && info.project.name === 'js-on') {
        await expect(them.getByRole('toolbar', { name: 'Formatting' })).toBeVisible({ timeout: 15_000 });
      }
      await them.getByRole('button', { name: 'Send', exact: true }).click();
      await expect(them.getByRole('status').filter({ hasText: 'Your message was sent.' })).toBeVisible();
      await expect(them.getByRole('row', { name: new RegExp(subject) }).getByRole('img', { name: 'Replied' })).toBeVisible();
      await other.close();

      // The writer has the receipt and the threaded reply.
      await page.goto(`${prefix}/mail`);
      await expect(page.getByRole('link', { name: new RegExp(`Read: .*${subject}`) })).toBeVisible();
      await page.getByRole('link', { name: `Re: ${subject}` }).click();
      await page.getByRole('link', { name: 'View source' }).click();
      const source = page.getByLabel('Raw message source');
      await expect(source).toContainText('In-Reply-To: <');
      await expect(source).toContainText('References: <');
    });

    test('a suspended account cannot send and is told why; its draft stays', async ({ page }, info) => {
      await signIn(page, { address: 'frank@example.com', password: 'frank-e2e-password' }, ui);
      await page.goto(`${prefix}/mail/compose`);
      await expect(page.getByText('Sending is suspended for this account: you can write and save drafts')).toBeVisible();
      await expect(page.getByRole('button', { name: 'Send', exact: true })).toBeDisabled();
      const subject = unique('Suspended draft', info);
      await page.getByLabel('Subject').fill(subject);
      await page.getByRole('button', { name: 'Save draft' }).click();
      await expect(page.getByText(/Draft saved at/)).toBeVisible();
      await page.goto(`${prefix}/mail?folder=Drafts`);
      await expect(page.getByRole('row', { name: new RegExp(subject) })).toHaveCount(1);
    });
  });
}

test('autosave keeps one draft that a reload continues', async ({ page }, info) => {
  test.skip(info.project.name === 'js-off', 'autosave needs the hydrated editor');
  const { writer } = people(info.project.name);
  const subject = unique('Autosaved', info);
  await signIn(page, writer, 'standard');
  await compose(page, 'standard', info.project.name);
  await page.getByLabel('Subject').fill(subject);
  const editor = page.getByRole('textbox', { name: 'Message' });
  await editor.click();
  await page.keyboard.type('First line typed.');
  await expect(page.getByText(/Draft saved at/)).toBeVisible({ timeout: 10_000 });
  await expect(page).toHaveURL(/\/mail\/compose\?draft=\d+/);
  const first = page.url();
  await page.getByRole('button', { name: 'Bold' }).click();
  await page.keyboard.type(' And bold words.');
  // Each save replaces the draft, which gets a new number.
  await expect.poll(() => page.url(), { timeout: 10_000 }).not.toBe(first);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Draft', level: 1 })).toBeVisible();
  await expect(page.getByLabel('Subject')).toHaveValue(subject);
  await expect(page.getByRole('textbox', { name: 'Message' })).toContainText('First line typed.');
  await expect(page.getByRole('textbox', { name: 'Message' }).locator('b, strong')).toContainText('And bold words.');
  await page.goto('/mail?folder=Drafts');
  await expect(page.getByRole('row', { name: new RegExp(subject) })).toHaveCount(1);
});

test('autosave after the session ended offers to sign in again, and nothing is lost', async ({ page, context }, info) => {
  test.skip(info.project.name === 'js-off', 'autosave needs the hydrated editor');
  const { writer } = people(info.project.name);
  const subject = unique('Autosaved while signed out', info);
  await signIn(page, writer, 'standard');
  await compose(page, 'standard', info.project.name);
  await page.getByLabel('Subject').fill(subject);
  // The session ends (expired, or ended elsewhere) while typing.
  await endSessionKeepingCookie(page);
  const editor = page.getByRole('textbox', { name: 'Message' });
  await editor.click();
  await page.keyboard.type('Typed after the session ended.');
  const alert = page.getByRole('alert').filter({ hasText: 'Your session has ended' });
  await expect(alert).toBeVisible({ timeout: 10_000 });
  await alert.getByRole('link', { name: 'Sign in again' }).click();
  await signInAgainAndFind(page, writer, subject, 'Typed after the session ended.');
});

test('autosave after signing out says nothing was kept, and the text stays on the page', async ({ page, context }, info) => {
  test.skip(info.project.name === 'js-off', 'autosave needs the hydrated editor');
  const { writer } = people(info.project.name);
  await signIn(page, writer, 'standard');
  await compose(page, 'standard', info.project.name);
  await page.getByLabel('Subject').fill(unique('Autosaved after signing out', info));
  // Signed out in another tab: the browser no longer names anyone.
  await context.clearCookies({ name: 'webmail_session' });
  const editor = page.getByRole('textbox', { name: 'Message' });
  await editor.click();
  await page.keyboard.type('Typed after signing out.');
  const alert = page.getByRole('alert').filter({ hasText: 'could not be saved on the server' });
  await expect(alert).toBeVisible({ timeout: 10_000 });
  await expect(editor).toContainText('Typed after signing out.');
});

test('the rich editor underlines misspellings and offers suggestions on click', async ({ page }, info) => {
  test.skip(info.project.name === 'js-off', 'the live check needs the hydrated editor');
  const { writer } = people(info.project.name);
  await signIn(page, writer, 'standard');
  await compose(page, 'standard', info.project.name);
  const editor = page.getByRole('textbox', { name: 'Message' });
  await editor.click();
  await page.keyboard.type('We recieve mail daily.');
  await expect(page.getByRole('status').filter({ hasText: '1 word may be misspelled' })).toBeVisible({ timeout: 10_000 });
  // Underlined through the CSS highlight registry, not by changing the text.
  const box = await page.evaluate(() => {
    const h = (CSS as any).highlights.get('misspelled');
    const range = [...h][0] as Range;
    const r = range.getBoundingClientRect();
    return { n: h.size, text: range.toString(), x: r.x + r.width / 2, y: r.y + r.height / 2 };
  });
  expect(box.n).toBe(1);
  expect(box.text).toBe('recieve');
  await expect(editor.locator('span, mark')).toHaveCount(0);
  await page.mouse.click(box.x, box.y);
  const menu = page.getByRole('menu', { name: 'Suggestions for “recieve”' });
  await menu.getByRole('menuitem', { name: 'receive', exact: true }).click();
  await expect(editor).toHaveText('We receive mail daily.');
  await expect(page.getByRole('status').filter({ hasText: 'may be misspelled' })).toHaveCount(0, { timeout: 10_000 });
});

for (const ui of ['standard', 'basic'] as Ui[]) {
  test(`an expired session loses nothing typed (${ui})`, async ({ page, context }, info) => {
    const { writer } = people(info.project.name);
    const subject = unique('Written while signed out', info);
    await signIn(page, writer, ui);
    await compose(page, ui, info.project.name);
    await page.getByLabel('To', { exact: true }).fill('keep@remote.test');
    await page.getByLabel('Subject').fill(subject);
    await page.getByRole('textbox', { name: 'Message' }).fill('A long paragraph I would hate to retype.');
    // The session ends (expired, or ended elsewhere) before sending.
    await endSessionKeepingCookie(page);
    await page.getByRole('button', { name: 'Save draft' }).click();
    await expect(page).toHaveURL(/\/login\?kept=1/);
    await signInAgainAndFind(page, writer, subject, 'A long paragraph I would hate to retype.');
    await expect(page.getByLabel('To', { exact: true })).toHaveValue('keep@remote.test');
    await expect(page.getByRole('status').filter({ hasText: 'when your session ended' })).toBeVisible();
  });

  test(`a form posted after signing out is not kept for anyone, and says so (${ui})`, async ({ page, context }, info) => {
    const { writer } = people(info.project.name);
    const subject = unique('Written after signing out', info);
    await signIn(page, writer, ui);
    await compose(page, ui, info.project.name);
    await page.getByLabel('Subject').fill(subject);
    await page.getByRole('textbox', { name: 'Message' }).fill('Nobody else may read this.');
    // Signed out (another tab): the browser no longer names anyone.
    await context.clearCookies({ name: 'webmail_session' });
    await page.getByRole('button', { name: 'Save draft' }).click();
    await expect(page).toHaveURL(/\/login\?error=not_kept/);
    await expect(page.getByText(/could not be saved/)).toBeVisible();
    // Whoever signs in next on this browser finds nothing of it.
    await signIn(page, ALICE, ui);
    await page.goto(`${ui === 'basic' ? '/basic' : ''}/mail?folder=Drafts`);
    await expect(page.getByRole('row', { name: new RegExp(subject) })).toHaveCount(0);
  });
}
