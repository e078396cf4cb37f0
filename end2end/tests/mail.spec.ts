import { test, expect, type Page } from '@playwright/test';
import { signIn, type Ui } from './helpers';

// Each project has its own reader (see serve.sh), and the tests of this file
// run in order, since they change that reader's mailbox.
test.describe.configure({ mode: 'serial' });

function reader(projectName: string) {
  const local = projectName === 'js-off' ? 'heidi' : 'grace';
  return { address: `${local}@example.com`, password: `${local}-e2e-password` };
}

for (const ui of ['standard', 'basic'] as Ui[]) {
  test.describe(`mail in the ${ui} interface`, () => {
    const prefix = ui === 'basic' ? '/basic' : '';

    async function open(page: Page, projectName: string, query = '') {
      await signIn(page, reader(projectName), ui);
      if (query) await page.goto(`${prefix}/mail?${query}`);
    }

    function subjects(page: Page) {
      return page.locator('table tbody td.col-subject a').allTextContents();
    }

    test('folder pane lists the special folders with icons and unread counts', async ({ page }, info) => {
      await open(page, info.project.name);
      const pane = page.getByRole('navigation', { name: 'Folders' });
      for (const name of ['Inbox', 'Drafts', 'Sent', 'Junk', 'Trash', 'Archive']) {
        await expect(pane.getByRole('img', { name: `${name} folder` })).toBeVisible();
      }
      await expect(pane.getByRole('link', { name: /Inbox/ })).toHaveAttribute('aria-current', 'page');
      await expect(page.getByRole('heading', { name: 'Inbox', level: 1 })).toBeVisible();
      await expect(page.getByRole('row')).toHaveCount(4); // header + 3 messages
    });

    test('each column sorts in both directions', async ({ page }, info) => {
      await open(page, info.project.name);
      // Default: newest first.
      await expect.poll(() => subjects(page)).toEqual(['Analytical engine notes', 'Lunch on Friday?', 'Budget review for Q3']);
      await page.getByRole('link', { name: /^Subject/ }).click();
      await expect(page.getByRole('columnheader', { name: /Subject/ })).toHaveAttribute('aria-sort', 'ascending');
      await expect.poll(() => subjects(page)).toEqual(['Analytical engine notes', 'Budget review for Q3', 'Lunch on Friday?']);
      await page.getByRole('link', { name: /^Subject/ }).click();
      await expect(page.getByRole('columnheader', { name: /Subject/ })).toHaveAttribute('aria-sort', 'descending');
      await expect.poll(() => subjects(page)).toEqual(['Lunch on Friday?', 'Budget review for Q3', 'Analytical engine notes']);
      await page.getByRole('link', { name: /^From/ }).click();
      await expect(page.getByRole('columnheader', { name: /From/ })).toHaveAttribute('aria-sort', 'ascending');
      await expect.poll(() => subjects(page)).toEqual(['Analytical engine notes', 'Budget review for Q3', 'Lunch on Friday?']);
      await page.getByRole('link', { name: /^Attachment/ }).click();
      await expect(page.getByRole('columnheader', { name: /Attachment/ })).toHaveAttribute('aria-sort', 'descending');
      await expect.poll(async () => (await subjects(page))[0]).toBe('Budget review for Q3');
      await page.getByRole('link', { name: /^Date/ }).click();
      await expect(page.getByRole('columnheader', { name: /Date/ })).toHaveAttribute('aria-sort', 'descending');
      await expect.poll(() => subjects(page)).toEqual(['Analytical engine notes', 'Lunch on Friday?', 'Budget review for Q3']);
      await page.getByRole('link', { name: /^Date/ }).click();
      await expect(page.getByRole('columnheader', { name: /Date/ })).toHaveAttribute('aria-sort', 'ascending');
      await expect.poll(() => subjects(page)).toEqual(['Budget review for Q3', 'Lunch on Friday?', 'Analytical engine notes']);
    });

    test('the Message-ID column can be shown, sorted and hidden again', async ({ page }, info) => {
      await open(page, info.project.name);
      await page.getByRole('button', { name: 'Show Message-ID column' }).click();
      await page.getByRole('link', { name: /^Message-ID/ }).click();
      await expect(page.getByRole('columnheader', { name: /Message-ID/ })).toHaveAttribute('aria-sort', 'ascending');
      await expect(page.locator('td.col-message-id').first()).toHaveText('budget-q3@example.net');
      await page.getByRole('button', { name: 'Hide Message-ID column' }).click();
      await expect(page.getByRole('columnheader', { name: /Message-ID/ })).toHaveCount(0);
    });

    test('each search scope finds what it should and nothing else', async ({ page }, info) => {
      await open(page, info.project.name);
      const cases: [string, string, string[]][] = [
        ['Sender', 'lovelace', ['Analytical engine notes']],
        ['Sender', 'lunch', []],
        ['Subject', 'lunch', ['Lunch on Friday?']],
        ['Subject', 'lovelace', []],
        ['Headers', 'quentin', ['Budget review for Q3']],
        ['Headers', 'weaves', []],
        ['Body and headers', 'weaves', ['Analytical engine notes']],
        ['Body and headers', 'zanzibar', ['Budget review for Q3']],
      ];
      for (const [scope, text, expected] of cases) {
        await page.getByLabel('Search mail').fill(text);
        await page.getByLabel('Search in').selectOption({ label: scope });
        await page.getByRole('button', { name: 'Search' }).click();
        await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Search: ${text}`);
        if (expected.length === 0) {
          await expect(page.getByText('No messages match this search.')).toBeVisible();
        } else {
          await expect.poll(() => subjects(page), `${scope}: ${text}`).toEqual(expected);
        }
      }
      await page.getByRole('link', { name: 'Clear search' }).click();
      await expect(page.getByRole('heading', { name: 'Inbox', level: 1 })).toBeVisible();
    });

    test('flags and read state change in bulk and in place', async ({ page }, info) => {
      await open(page, info.project.name);
      const row = page.getByRole('row', { name: /Lunch on Friday/ });
      await row.getByRole('button', { name: /^Flag “Lunch on Friday\?”/ }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Done: 1 message updated.' })).toBeVisible();
      const unflag = page.getByRole('row', { name: /Lunch on Friday/ }).getByRole('button', { name: /^Unflag/ });
      await expect(unflag).toHaveAttribute('aria-pressed', 'true');
      await unflag.click();
      await expect(page.getByRole('row', { name: /Lunch on Friday/ }).getByRole('button', { name: /^Flag/ })).toHaveAttribute('aria-pressed', 'false');

      await page.getByRole('checkbox', { name: /Analytical engine notes/ }).check();
      await page.getByRole('checkbox', { name: /Budget review/ }).check();
      await page.getByRole('button', { name: 'Mark read' }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Done: 2 messages updated.' })).toBeVisible();
      const pane = page.getByRole('navigation', { name: 'Folders' });
      await expect(pane.getByRole('link', { name: /Inbox/ })).toContainText('1 unread');
      await page.getByRole('checkbox', { name: /Analytical engine notes/ }).check();
      await page.getByRole('checkbox', { name: /Budget review/ }).check();
      await page.getByRole('button', { name: 'Mark unread' }).click();
      await expect(pane.getByRole('link', { name: /Inbox/ })).toContainText('3 unread');
    });

    test('raw source shows the exact message and downloads as .eml', async ({ page }, info) => {
      await open(page, info.project.name);
      const subject = 'Lunch on Friday?';
      const row = page.getByRole('row', { name: /Lunch on Friday/ });
      const href = await row.getByRole('link', { name: subject }).getAttribute('href');
      const uid = /uid=(\d+)/.exec(href!)![1];
      await page.goto(`${prefix}/mail/source?folder=INBOX&uid=${uid}`);
      const pre = page.getByLabel('Raw message source');
      await expect(pre).toContainText('Message-ID: <lunch-friday@example.com>');
      await expect(pre).toContainText('Shall we try the new place on the corner?');
      const res = await page.request.get(`/mail/raw?folder=INBOX&uid=${uid}`);
      expect(res.headers()['content-disposition']).toContain('attachment');
      expect(res.headers()['x-content-type-options']).toBe('nosniff');
      const body = await res.body();
      expect(body.toString('utf8')).toBe(
        'From: Zed Baker <zed@example.com>\r\nTo: Mail Tester <tester@example.com>\r\nSubject: Lunch on Friday?\r\nDate: Mon, 02 Nov 2026 12:00:00 +0000\r\nMessage-ID: <lunch-friday@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nShall we try the new place on the corner?\r\n',
      );
    });

    test('folders are created, renamed and deleted, with clear errors', async ({ page }, info) => {
      await open(page, info.project.name);
      const name = `Projects ${ui}`;
      await page.getByText('Manage folders').click();
      await page.getByLabel('New folder').fill(name);
      await page.getByRole('button', { name: 'Create folder' }).click();
      const pane = page.getByRole('navigation', { name: 'Folders' });
      await expect(pane.getByRole('link', { name: new RegExp(name) })).toBeVisible();
      // A clash says so.
      await page.getByText('Manage folders').click();
      await page.getByLabel('New folder').fill(name);
      await page.getByRole('button', { name: 'Create folder' }).click();
      await expect(page.getByRole('alert')).toHaveText(/already exists/);
      await page.getByText('Manage folders').click();
      await page.getByLabel('Rename folder').selectOption(name);
      await page.getByLabel('New name').fill(`${name} 2027`);
      await page.getByRole('button', { name: 'Rename folder' }).click();
      await expect(pane.getByRole('link', { name: new RegExp(`${name} 2027`) })).toBeVisible();
      await page.getByText('Manage folders').click();
      await page.getByLabel('Delete folder').selectOption(`${name} 2027`);
      await page.getByRole('button', { name: 'Delete folder' }).click();
      await expect(pane.getByRole('link', { name: new RegExp(name) })).toHaveCount(0);
    });

    test('hiding the folder pane is remembered', async ({ page }, info) => {
      await open(page, info.project.name);
      await page.getByRole('button', { name: 'Hide folder pane' }).click();
      await expect(page.getByRole('navigation', { name: 'Folders' })).toHaveCount(0);
      await page.reload();
      await expect(page.getByRole('navigation', { name: 'Folders' })).toHaveCount(0);
      await page.getByRole('button', { name: 'Show folder pane' }).click();
      await expect(page.getByRole('navigation', { name: 'Folders' })).toBeVisible();
    });

    test('spam and delete move messages out of the Inbox', async ({ page }, info) => {
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await open(page, info.project.name);
      await page.getByRole('checkbox', { name: /Lunch on Friday/ }).check();
      await page.getByRole('button', { name: 'Spam' }).click();
      await expect(page.getByRole('row', { name: /Lunch on Friday/ })).toHaveCount(0);
      await expect(page.getByRole('status').filter({ hasText: 'Done: 1 message updated.' })).toBeVisible();
      const pane = page.getByRole('navigation', { name: 'Folders' });
      await pane.getByRole('link', { name: /Junk/ }).click();
      await expect(page.getByRole('heading', { name: 'Junk', level: 1 })).toBeVisible();
      await page.getByRole('checkbox', { name: /Lunch on Friday/ }).check();
      await page.getByLabel('Move selected to folder').selectOption('INBOX');
      await page.getByRole('button', { name: 'Move', exact: true }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Done: 1 message updated.' })).toBeVisible();
      await pane.getByRole('link', { name: /Inbox/ }).click();
      await expect(page.getByRole('row', { name: /Lunch on Friday/ })).toHaveCount(1);
      expect(errors, 'errors in the page').toEqual([]);
    });
  });
}

for (const ui of ['standard', 'basic'] as Ui[]) {
  test.describe(`reading a message in the ${ui} interface`, () => {
    const prefix = ui === 'basic' ? '/basic' : '';

    test('opening a message shows it, marks it read, lists attachments that download', async ({ page }, info) => {
      await signIn(page, reader(info.project.name), ui);
      const pane = page.getByRole('navigation', { name: 'Folders' });
      const before = Number((await pane.getByRole('link', { name: /Inbox/ }).locator('.count').textContent())?.replace(/\D/g, '') || 0);
      await page.getByRole('link', { name: 'Budget review for Q3' }).click();
      await expect(page).toHaveURL(new RegExp(`${prefix}/mail/message\\?uid=\\d+`));
      await expect(page.getByRole('heading', { name: 'Budget review for Q3', level: 1 })).toBeVisible();
      await expect(page.locator('dl.summary').getByText('Quentin Ramsay <quentin@example.net>')).toBeVisible();
      await expect(page.getByText('The zanzibar line needs a second look.')).toBeVisible();
      const attachments = page.getByRole('region', { name: 'Attachments' });
      const link = attachments.getByRole('link', { name: 'budget.csv' });
      await expect(link).toBeVisible();
      const res = await page.request.get((await link.getAttribute('href'))!);
      expect(res.status()).toBe(200);
      expect(res.headers()['content-disposition']).toMatch(/^attachment; filename="budget.csv"/);
      expect(res.headers()['x-content-type-options']).toBe('nosniff');
      expect(await res.text()).toContain('rent,1200');
      await page.getByText('Show all headers').click();
      await expect(page.getByRole('row', { name: /Message-ID/ })).toContainText('budget-q3@example.net');
      await page.getByRole('link', { name: 'View source' }).click();
      await expect(page.getByLabel('Raw message source')).toContainText('Content-Disposition: attachment; filename="budget.csv"');
      await page.goto(`${prefix}/mail`);
      const after = Number((await page.getByRole('navigation', { name: 'Folders' }).getByRole('link', { name: /Inbox/ }).locator('.count').textContent())?.replace(/\D/g, '') || 0);
      expect(after).toBe(before - 1);
      // Put it back to unread for the next run.
      await page.getByRole('checkbox', { name: /Budget review/ }).check();
      await page.getByRole('button', { name: 'Mark unread' }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Done: 1 message updated.' })).toBeVisible();
    });
  });
}

for (const ui of ['standard', 'basic'] as Ui[]) {
  test.describe(`sender lists in the ${ui} interface`, () => {
    test('block and safe sender land in the lists, which can be edited', async ({ page }, info) => {
      await signIn(page, reader(info.project.name), ui);
      await page.getByRole('button', { name: 'Mark read' }).click();
      await expect(page.getByRole('alert')).toHaveText(/Select at least one message first/);
      await page.getByRole('checkbox', { name: /Analytical engine notes/ }).check();
      await page.getByText('More options').click();
      await page.getByRole('button', { name: 'Block sender' }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Done: 1 message updated.' })).toBeVisible();
      await page.getByRole('checkbox', { name: /Lunch on Friday/ }).check();
      await page.getByText('More options').click();
      await page.getByRole('button', { name: 'Safe sender' }).click();

      await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Settings' }).click();
      const blocked = page.getByRole('list', { name: 'Blocked senders' });
      const safe = page.getByRole('list', { name: 'Safe senders' });
      await expect(blocked.getByRole('listitem')).toHaveText([/ada@example.org/]);
      await expect(safe.getByRole('listitem')).toHaveText([/zed@example.com/]);

      await page.getByLabel('Add to blocked senders').fill('@spam.example');
      await page.getByRole('button', { name: 'Add' }).first().click();
      await expect(page.getByRole('status')).toHaveText('Sender lists updated.');
      await expect(page.getByRole('list', { name: 'Blocked senders' }).getByRole('listitem')).toHaveText([/@spam.example/, /ada@example.org/]);
      await page.getByLabel('Add to safe senders').fill('not an address');
      await page.getByRole('button', { name: 'Add' }).nth(1).click();
      await expect(page.getByRole('alert')).toContainText('cannot go on the list');
      await expect(page.getByLabel('Add to safe senders')).toBeVisible();

      for (const entry of ['@spam.example', 'ada@example.org']) {
        await page.getByRole('button', { name: `Remove ${entry} from blocked senders` }).click();
      }
      await page.getByRole('button', { name: 'Remove zed@example.com from safe senders' }).click();
      await expect(page.getByText('No entries yet.')).toHaveCount(2);
    });
  });
}

for (const ui of ['standard', 'basic'] as Ui[]) {
  test.describe(`previous and next in the ${ui} interface`, () => {
    test('step through the list in its current order', async ({ page }, info) => {
      await signIn(page, reader(info.project.name), ui);
      // Newest first: Analytical (3 Nov), Lunch (2 Nov), Budget (1 Nov).
      await page.getByRole('link', { name: 'Lunch on Friday?' }).click();
      const nav = page.getByRole('navigation', { name: 'Message navigation' });
      await nav.getByRole('link', { name: 'Next ›' }).click();
      await expect(page.getByRole('heading', { name: 'Budget review for Q3', level: 1 })).toBeVisible();
      await expect(nav.getByRole('link', { name: 'Next ›' })).toHaveCount(0);
      await nav.getByRole('link', { name: '‹ Previous' }).click();
      await nav.getByRole('link', { name: '‹ Previous' }).click();
      await expect(page.getByRole('heading', { name: 'Analytical engine notes', level: 1 })).toBeVisible();
      await expect(nav.getByRole('link', { name: '‹ Previous' })).toHaveCount(0);
      // In subject order the neighbours change.
      await nav.getByRole('link', { name: '← Back to the list' }).click();
      await page.getByRole('link', { name: /^Subject/ }).click();
      await expect(page.getByRole('columnheader', { name: /Subject/ })).toHaveAttribute('aria-sort', 'ascending');
      await page.getByRole('link', { name: 'Analytical engine notes' }).click();
      await nav.getByRole('link', { name: 'Next ›' }).click();
      await expect(page.getByRole('heading', { name: 'Budget review for Q3', level: 1 })).toBeVisible();
      // Leave them unread again.
      await page.goto(`${ui === 'basic' ? '/basic' : ''}/mail`);
      for (const s of [/Analytical engine notes/, /Budget review/, /Lunch on Friday/]) {
        await page.getByRole('checkbox', { name: s }).check();
      }
      await page.getByRole('button', { name: 'Mark unread' }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Done: 3 messages updated.' })).toBeVisible();
    });
  });
}
