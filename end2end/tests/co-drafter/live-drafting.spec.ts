// Two organisations write one draft together, live; a citizen watches; the record keeps who wrote what.
import { test, expect, type Browser, type Page } from '@playwright/test';
import { editorText, expectAccessible, signIn, watchErrors } from '../helpers';

async function charter(page: Page): Promise<string> {
  const list = await (await page.request.get('/api/v1/processes')).json();
  const drafting = list.processes.find((p: { phase: string }) => p.phase === 'drafting');
  const detail = await (await page.request.get(`/api/v1/processes/${drafting.id}`)).json();
  return detail.drafts.find((d: { language: string }) => d.language === 'en').url;
}

async function open(browser: Browser, email: string, url?: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);
  await signIn(page, email);
  await page.goto(url ?? (await charter(page)));
  return { page, errors };
}

test('two organisations write together, a citizen follows, and the record keeps who wrote what', async ({ browser }) => {
  // Three people, a version, a comparison and four accessibility checks of long pages.
  test.setTimeout(90_000);
  const city = await open(browser, 'gov@demo.baraza');
  const url = city.page.url();
  const opendata = await open(browser, 'civil@demo.baraza', url);
  const citizen = await open(browser, 'citizen@demo.baraza', url);

  const cityText = city.page.getByRole('textbox', { name: 'Draft text' });
  const openText = opendata.page.getByRole('textbox', { name: 'Draft text' });
  await expect(cityText).toBeEditable();
  await expect(openText).toBeEditable();
  await expect(city.page.getByRole('status').filter({ hasText: 'Live' })).toBeVisible();
  await expect(city.page.getByText('You are writing for Kalden City Hall')).toBeVisible();

  // The city writes at the start, open data at the end: each sees the other's words arrive.
  await cityText.click();
  await city.page.keyboard.press('Control+Home');
  await city.page.keyboard.type('Preamble by the city. ');
  await openText.click();
  await opendata.page.keyboard.press('Control+End');
  await opendata.page.keyboard.type('\n\nAnnex: data published under an open licence, 开放许可。');
  await expect(openText).toHaveText(/^Preamble by the city\. /);
  await expect(cityText).toHaveText(/开放许可。$/);
  // Converged (other stories may be writing in the same draft: wait for their edits to arrive).
  await expect.poll(async () => (await editorText(city.page)) === (await editorText(opendata.page))).toBe(true);

  // Each sees the other here, and the other's caret, named.
  await expect(city.page.locator('.presence')).toContainText('Open Data Kalden');
  await expect(opendata.page.locator('.presence')).toContainText('Kalden City Hall');
  await expect(city.page.locator('.remote-caret').first()).toHaveAttribute('data-name', /.+/);
  // What one selects, the other sees selected, in the selector's colour; a caret moved by the
  // keyboard moves for the other too. (Writers of earlier stories may still be in this draft:
  // look only at the open-data writer's marks.)
  const name = 'Priya Raman';
  const mine = `.remote-selection[title="${name}"]`;
  const already = await city.page.locator(mine).count();
  await opendata.page.keyboard.down('Shift');
  for (let i = 0; i < 8; i++) await opendata.page.keyboard.press('ArrowLeft');
  await opendata.page.keyboard.up('Shift');
  // (The boxes are drawn again at every change: measure them all at once.)
  const selected = () =>
    city.page.evaluate(
      (mine) => [...document.querySelectorAll(mine)].reduce((width, e) => width + e.getBoundingClientRect().width, 0),
      mine,
    );
  await expect.poll(selected).toBeGreaterThan(10);
  const caret = `.remote-caret[data-name="${name}"]`;
  await city.page.evaluate((caret) => document.querySelector(caret)?.scrollIntoView({ block: 'center' }), caret);
  await city.page.screenshot({ path: 'test-results/remote-selection.png' });
  const caretAt = () => city.page.locator(caret).first().evaluate((e) => e.getBoundingClientRect().left);
  const before = await caretAt();
  await opendata.page.keyboard.press('ArrowLeft');
  await expect(city.page.locator(mine)).toHaveCount(already);
  await expect.poll(caretAt).not.toBe(before);

  // The citizen reads it live and cannot type.
  await expect(citizen.page.getByText('You are reading live')).toBeVisible();
  await expect(citizen.page.getByRole('textbox', { name: 'Draft text' })).toHaveCount(0);
  await expect(citizen.page.locator('.live-text')).toContainText('Preamble by the city.');
  await expect(citizen.page.locator('.live-text')).toContainText('开放许可。');
  await expectAccessible(citizen.page);

  // The city names a version; the record shows both organisations and the new version.
  await city.page.getByLabel('Name of the version').fill('Text for the public comment');
  await city.page.getByRole('button', { name: 'Name version' }).click();
  await expect(city.page.locator('#notice')).toContainText('The version is named');
  await city.page.reload();
  const shares = city.page.getByRole('table', { name: 'Share of the current text by organisation' });
  await expect(shares).toContainText('Kalden City Hall');
  await expect(shares).toContainText('Open Data Kalden');
  const versions = city.page.getByRole('region', { name: 'Named versions' });
  await expect(versions).toContainText(/\d+\. Text for the public comment/);
  await expect(versions).toContainText('SHA-256');
  await expectAccessible(city.page);

  // After more writing, the comparison with the version shows exactly what changed.
  await expect(cityText).toBeEditable();
  await cityText.click();
  await city.page.keyboard.press('Control+Home');
  await city.page.keyboard.type('Revised. ');
  await expect(openText).toHaveText(/^Revised\. Preamble/);
  await versions.getByRole('listitem').filter({ hasText: 'Text for the public comment' }).getByRole('link', { name: 'compare with the live text' }).click();
  await expect(city.page.locator('.compared ins')).toContainText('Revised');
  await expectAccessible(city.page);

  for (const who of [city, opendata, citizen]) expect(who.errors).toEqual([]);
});

test('without JavaScript the draft is readable, and says what needs a script', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const list = await (await page.request.get('/api/v1/processes')).json();
  const drafting = list.processes.find((p: { phase: string }) => p.phase === 'drafting');
  const detail = await (await page.request.get(`/api/v1/processes/${drafting.id}`)).json();
  await page.goto(detail.drafts[0].url);
  await expect(page.locator('.live-text')).toContainText('Chapter 1');
  await expect(page.getByText('Live updates and writing need JavaScript')).toBeVisible();
});

test('writing offline is kept and merges when the connection returns', async ({ browser }) => {
  // The city's connection runs through a switch: while "offline", its socket is cut and every
  // reconnection refused, as when a mobile network drops.
  const context = await browser.newContext();
  const page = await context.newPage();
  let online = true;
  const live: { close: (o?: { code?: number; reason?: string }) => Promise<void> }[] = [];
  await page.routeWebSocket(/\/collab\/drafts\//, (ws) => {
    if (!online) {
      void ws.close({ code: 4000, reason: 'offline' });
      return;
    }
    ws.connectToServer();
    live.push(ws);
  });
  await signIn(page, 'gov@demo.baraza');
  await page.goto(await charter(page));
  const elders = await open(browser, 'informal@demo.baraza', page.url());
  const cityText = page.getByRole('textbox', { name: 'Draft text' });
  const eldersText = elders.page.getByRole('textbox', { name: 'Draft text' });
  await expect(cityText).toBeEditable();
  await expect(eldersText).toBeEditable();

  online = false;
  for (const ws of live.splice(0)) await ws.close({ code: 4000, reason: 'offline' });
  await expect(page.getByRole('status').filter({ hasText: 'Offline' })).toBeVisible({ timeout: 15_000 });
  // The city keeps writing; the elders write too.
  await cityText.click();
  await page.keyboard.press('Control+Home');
  await page.keyboard.type('Written offline. ');
  await eldersText.click();
  await elders.page.keyboard.press('Control+End');
  await elders.page.keyboard.type(' Elders online.');
  await expect(eldersText).not.toHaveText(/Written offline/);

  // Back online: both edits are in both places.
  online = true;
  await expect(page.getByRole('status').filter({ hasText: 'Live' })).toBeVisible({ timeout: 30_000 });
  await expect(eldersText).toHaveText(/^Written offline\. /, { timeout: 15_000 });
  await expect(cityText).toHaveText(/ Elders online\.$/);
  // Converged (other stories may be writing in the same draft: wait for their edits to arrive).
  await expect.poll(async () => (await editorText(page)) === (await editorText(elders.page))).toBe(true);
});
