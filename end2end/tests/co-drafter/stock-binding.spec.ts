// A stock editor binding co-edits with Baraza: npm Quill 2 bound to the draft by y-quill (over
// npm yjs and y-websocket), as another application would build it, writes formatted text next to
// a co-drafter in Baraza's own editor. The page is served from the site's origin (so the session
// cookie and the Origin check apply as for any page) out of end2end/node_modules.
import { test, expect, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { caretBefore, signIn, watchErrors } from '../helpers';

const MODULES = join(__dirname, '..', '..', 'node_modules');

const PAGE = (draft: number) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>y-quill client</title>
<link rel="stylesheet" href="/pkg/quill.css">
<script src="/pkg/quill.js"></script>
<script src="/pkg/editor.js"></script>
<script type="importmap">{"imports": {
  "yjs": "/__interop/nm/yjs/dist/yjs.mjs",
  "lib0/": "/__interop/nm/lib0/",
  "y-protocols/": "/__interop/nm/y-protocols/",
  "y-websocket": "/__interop/nm/y-websocket/src/y-websocket.js",
  "y-quill": "/__interop/nm/y-quill/src/y-quill.js"
}}</script></head>
<body><div id="editor"></div>
<script type="module">
  import * as Y from 'yjs';
  import { WebsocketProvider } from 'y-websocket';
  import { QuillBinding } from 'y-quill';
  const doc = new Y.Doc();
  const provider = new WebsocketProvider('ws://' + location.host + '/collab/drafts', '${draft}', doc, { disableBc: true });
  // Stock Quill; the article format comes from Baraza's published editor.js, as any client that
  // wants to show articles can load it.
  const quill = new window.Quill('#editor', {});
  new QuillBinding(doc.getText('body'), quill, provider.awareness);
  provider.on('sync', (synced) => { if (synced) window.synced = true; });
  window.quill = quill;
</script></body></html>`;

/** Serves the client page and its npm modules under /__interop/ on the site's own origin. */
async function serveClient(page: Page, draft: number) {
  await page.route('**/__interop/**', async (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/__interop/index.html') {
      await route.fulfill({ contentType: 'text/html', body: PAGE(draft) });
      return;
    }
    let file = join(MODULES, path.replace('/__interop/nm/', ''));
    if (!existsSync(file) && existsSync(`${file}.js`)) file = `${file}.js`;
    if (!existsSync(file)) {
      await route.fulfill({ status: 404, body: 'not found' });
      return;
    }
    await route.fulfill({ contentType: 'text/javascript', body: await readFile(file) });
  });
}

test('a stock Quill with y-quill and Baraza\'s editor write one draft together', async ({ browser }) => {
  const list = await (await (await browser.newContext()).request.get('/api/v1/processes')).json();
  const drafting = list.processes.find((p: { phase: string }) => p.phase === 'drafting');
  const process = await (await (await browser.newContext()).request.get(`/api/v1/processes/${drafting.id}`)).json();
  const draft = process.drafts.find((d: { language: string }) => d.language === 'en');

  const stock = await (await browser.newContext()).newPage();
  const stockErrors = watchErrors(stock);
  await signIn(stock, 'civil@demo.baraza');
  await serveClient(stock, draft.id);
  await stock.goto('/__interop/index.html');
  await stock.waitForFunction(() => (window as unknown as { synced?: boolean }).synced === true);
  // The stock editor shows Baraza's structure: chapters as headings, articles as articles.
  await expect(stock.locator('#editor h1').first()).toContainText('Chapter');
  await expect(stock.locator('#editor p.ql-article').first()).toBeVisible();

  const baraza = await (await browser.newContext()).newPage();
  const barazaErrors = watchErrors(baraza);
  await signIn(baraza, 'gov@demo.baraza');
  await baraza.goto(draft.url);
  const text = baraza.getByRole('textbox', { name: 'Draft text' });
  await expect(text).toBeEditable();

  // y-quill: a section heading of its own at the start.
  await stock.evaluate(() => {
    const quill = (window as unknown as { quill: { insertText: Function; formatLine: Function } }).quill;
    quill.insertText(0, 'Heading written through y-quill\n', 'user');
    quill.formatLine(0, 1, 'header', 2, 'user');
  });
  await expect(baraza.locator('.ql-editor h2', { hasText: 'Heading written through y-quill' })).toBeVisible();

  // Baraza: bold words in the first article, which the stock editor shows bold.
  await caretBefore(baraza, 'This charter sets out');
  await baraza.keyboard.press('Control+b');
  await baraza.keyboard.type('Bold from Baraza. ');
  await expect(stock.locator('#editor strong', { hasText: 'Bold from Baraza.' })).toBeVisible();

  // Both hold the same document, and the open data reads its structure.
  await expect.poll(async () => {
    const ours = await baraza.locator('.ql-editor').innerText();
    const theirs = await stock.locator('#editor .ql-editor').innerText();
    // Quill keeps an empty line after the last one, which y-quill's document then shows.
    return ours.trimEnd() === theirs.trimEnd();
  }).toBe(true);
  const detail = await (await baraza.request.get(`/api/v1/drafts/${draft.id}`)).json();
  const section = detail.blocks.find((b: { kind: string; spans: { text: string }[] }) =>
    b.kind === 'section' && b.spans.map((s) => s.text).join('') === 'Heading written through y-quill');
  expect(section, 'the section written through y-quill').toBeTruthy();
  expect(stockErrors).toEqual([]);
  expect(barazaErrors).toEqual([]);
});
