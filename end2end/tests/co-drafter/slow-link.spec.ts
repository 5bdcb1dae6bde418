// On a slow link the editor takes a while to become live. Until the document has synced, what
// is typed could not be kept: the editor takes none of it, and says so, instead of showing "Live"
// and dropping the words.
import { test, expect } from '@playwright/test';
import { draftIn, editorText, expectAccessible, signIn, watchErrors } from '../helpers';

test('until the editor is live it says it is connecting and takes no typing, then it does', async ({ page }) => {
  const errors = watchErrors(page);
  await signIn(page, 'gov@demo.baraza');
  // The draft's websocket opens, but what the server sends is held back (a slow link).
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.routeWebSocket(/\/collab\/drafts\//, (ws) => {
    const server = ws.connectToServer();
    const held: (string | Buffer)[] = [];
    let flowing = false;
    void released.then(() => {
      flowing = true;
      for (const message of held) ws.send(message);
    });
    server.onMessage((message) => (flowing ? ws.send(message) : held.push(message)));
  });
  await page.goto(await draftIn(page, 'drafting'));
  const status = page.locator('.editor-status');
  await expect(status).toHaveText(/Connecting the editor… You can type as soon as it is live/);
  await expect(page.locator('.editor-host')).toHaveAttribute('aria-busy', 'true');
  const text = page.getByRole('textbox', { name: 'Draft text' });
  const before = await editorText(page);
  await text.click();
  await page.keyboard.type('Words typed too early. ');
  expect(await editorText(page)).toBe(before);
  await expect(status).not.toHaveText(/^Live/);
  // Said where the writer is looking too: in the toolbar's bar, which stays in view.
  await expect(page.locator('.editor-bar .editor-wait')).toBeVisible();
  await expectAccessible(page);
  await page.locator('.editor-bar').evaluate((bar) => bar.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: 'test-results/editor-connecting.png' });

  release();
  await expect(status).toHaveText(/^Live: changes are saved as you type\./);
  await expect(page.locator('.editor-host')).not.toHaveAttribute('aria-busy', 'true');
  await expect(page.locator('.editor-bar .editor-wait')).toBeHidden();
  await expect(text).toBeEditable();
  await text.click();
  await page.keyboard.press('Control+Home');
  await page.keyboard.type('Words typed once live. ');
  await expect(text).toContainText('Words typed once live.');
  expect(errors).toEqual([]);
});
