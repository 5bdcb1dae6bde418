// The draft as a document: two co-drafters format and type in the same article at once and
// converge; Chinese typed through an input method; a Word-like fragment pasted keeps its
// structure and loses the rest; the outline jumps; the reading view has headings and articles.
import { test, expect, type Browser, type Page } from '@playwright/test';
import { caretBefore, editorText, expectAccessible, signIn, watchErrors } from '../helpers';

async function charter(page: Page, language = 'en'): Promise<{ url: string; id: number }> {
  const list = await (await page.request.get('/api/v1/processes')).json();
  const drafting = list.processes.find((p: { phase: string }) => p.phase === 'drafting');
  const detail = await (await page.request.get(`/api/v1/processes/${drafting.id}`)).json();
  return detail.drafts.find((d: { language: string }) => d.language === language);
}

async function writer(browser: Browser, email: string, url: string) {
  const page = await (await browser.newContext()).newPage();
  const errors = watchErrors(page);
  await signIn(page, email);
  await page.goto(url);
  const text = page.getByRole('textbox', { name: 'Draft text' });
  await expect(text).toBeEditable();
  return { page, errors, text };
}

/** The draft's blocks from the open-data API: what every reader and client gets. */
async function blocks(page: Page, id: number) {
  const detail = await (await page.request.get(`/api/v1/drafts/${id}`)).json();
  return detail.blocks as { kind: string; id: string; spans: { text: string; bold?: boolean; italic?: boolean; link?: string }[] }[];
}
const textOf = (b: { spans: { text: string }[] }) => b.spans.map((s) => s.text).join('');

test('two co-drafters format and type in the same article at once, and converge', async ({ browser }) => {
  test.setTimeout(60_000);
  const probe = await (await browser.newContext()).newPage();
  const draft = await charter(probe);
  const city = await writer(browser, 'gov@demo.baraza', draft.url);
  const elders = await writer(browser, 'informal@demo.baraza', draft.url);

  // Both in article 2 at once: the city writes a new article before it (Enter splits the
  // article in two, and the numbers after it follow) and makes it bold; the elders add a sentence
  // at the end of the same article.
  await caretBefore(city.page, 'The charter applies to every department');
  await city.page.keyboard.type('Every resident may take part. ');
  await caretBefore(elders.page, 'The charter applies to every department');
  await elders.page.keyboard.press('End');
  await elders.page.keyboard.type(' The elders are consulted.');
  await city.page.keyboard.press('Enter');
  await caretBefore(city.page, 'Every resident may take part.');
  await city.page.keyboard.press('Shift+End');
  await city.page.keyboard.press('Control+b');

  await expect.poll(async () => (await editorText(city.page)) === (await editorText(elders.page)), { timeout: 15_000 }).toBe(true);
  await expect.poll(async () => {
    const all = await blocks(probe, draft.id);
    const mine = all.find((b) => textOf(b).startsWith('Every resident may take part.'));
    return mine ? `${mine.kind} ${mine.spans.some((s) => s.bold)}` : 'missing';
  }).toBe('article true');
  await expect(elders.page.locator('.ql-editor strong', { hasText: 'Every resident may take part.' })).toBeVisible();
  // Undo takes back only one's own change: the elders' sentence stays when the city undoes.
  await city.page.keyboard.press('Control+z');
  await expect(elders.page.locator('.ql-editor strong', { hasText: 'Every resident may take part.' })).toHaveCount(0);
  await expect(city.text).toContainText('The elders are consulted.');
  await city.page.keyboard.press('Control+Shift+z');
  await expect(elders.page.locator('.ql-editor strong', { hasText: 'Every resident may take part.' })).toBeVisible();

  await expectAccessible(city.page);
  await city.page.screenshot({ path: 'test-results/editor.png' });
  for (const who of [city, elders]) expect(who.errors).toEqual([]);
});

test('Chinese typed through an input method reaches the other writer whole', async ({ browser }) => {
  const probe = await (await browser.newContext()).newPage();
  const draft = await charter(probe, 'zh-Hans');
  const city = await writer(browser, 'gov@demo.baraza', draft.url);
  const elders = await writer(browser, 'informal@demo.baraza', draft.url);
  await caretBefore(city.page, '本宪章适用于');
  // What an IME does: a composition that changes as the writer types pinyin, then commits.
  const cdp = await city.page.context().newCDPSession(city.page);
  for (const step of ['y', 'yi', '议', '议事']) {
    await cdp.send('Input.imeSetComposition', { text: step, selectionStart: step.length, selectionEnd: step.length });
  }
  await cdp.send('Input.insertText', { text: '议事规则：' });
  await expect(elders.text).toContainText('议事规则：本宪章适用于');
  // No half-composed letters anywhere.
  await expect(elders.text).not.toContainText('yi');
  await expect.poll(async () => (await editorText(city.page)) === (await editorText(elders.page))).toBe(true);
  for (const who of [city, elders]) expect(who.errors).toEqual([]);
});

test('Arabic typed through an input method reaches the other writer whole, and reads right to left', async ({ browser }) => {
  const probe = await (await browser.newContext()).newPage();
  const draft = await charter(probe);
  const city = await writer(browser, 'gov@demo.baraza', draft.url);
  const elders = await writer(browser, 'informal@demo.baraza', draft.url);
  await caretBefore(city.page, 'Democracy is a dialogue');
  // An Arabic keyboard with composition (as on phones): letters join as they are typed.
  const cdp = await city.page.context().newCDPSession(city.page);
  for (const step of ['ا', 'ال', 'الو', 'الوس', 'الوسط', 'الوسطاء']) {
    await cdp.send('Input.imeSetComposition', { text: step, selectionStart: step.length, selectionEnd: step.length });
  }
  await cdp.send('Input.insertText', { text: 'الوسطاء مستقلون. ' });
  await expect(elders.text).toContainText('الوسطاء مستقلون. Democracy is a dialogue');
  await expect.poll(async () => (await editorText(city.page)) === (await editorText(elders.page))).toBe(true);
  // The API has the words whole, in order (no letter of a half-composed word left behind).
  const all = await blocks(probe, draft.id);
  const article = all.find((b) => textOf(b).includes('Democracy is a dialogue'));
  expect(textOf(article!)).toContain('الوسطاء مستقلون. Democracy');
  expect(textOf(article!)).not.toContain('الوسطالوسطاء');
  // The browser lays the Arabic out right to left inside the English line (the bidi algorithm):
  // its first letter stands to the right of its last.
  const order = await elders.page.evaluate(() => {
    const root = document.querySelector('.ql-editor')!;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = (node as Text).data;
      const at = text.indexOf('الوسطاء');
      if (at < 0) continue;
      const box = (i: number) => {
        const r = document.createRange();
        r.setStart(node!, i);
        r.setEnd(node!, i + 1);
        return r.getBoundingClientRect().left;
      };
      return { first: box(at), last: box(at + 6) };
    }
    return null;
  });
  expect(order).not.toBeNull();
  expect(order!.first).toBeGreaterThan(order!.last);
  for (const who of [city, elders]) expect(who.errors).toEqual([]);
});

test('pasting from a word processor keeps headings, lists and emphasis, and drops the rest', async ({ browser }) => {
  const probe = await (await browser.newContext()).newPage();
  const draft = await charter(probe);
  const city = await writer(browser, 'gov@demo.baraza', draft.url);
  await caretBefore(city.page, 'Chapter 2.');
  // A fragment as Word and Google Docs put it on the clipboard: classes, inline styles, fonts,
  // a fourth-level heading, a colour, an image.
  const html = `<html><body><!--StartFragment-->
    <h4 class="MsoHeading4" style="font-family:Calibri">Annex on service standards</h4>
    <p class="MsoNormal" style="margin:0"><b>Each</b> service publishes <i>its</i> <span style="color:#ff0000;font-size:18pt">standards</span>.<img src="data:image/png;base64,iVBORw0KGgo="></p>
    <ul><li>Response within 2 days</li><li>Answer within 15 days</li></ul>
    <!--EndFragment--></body></html>`;
  await city.page.evaluate((html) => {
    const data = new DataTransfer();
    data.setData('text/html', html);
    data.setData('text/plain', 'Annex on service standards');
    document.querySelector('.ql-editor')!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, html);
  await expect.poll(async () => {
    const all = await blocks(probe, draft.id);
    const at = all.findIndex((b) => textOf(b) === 'Annex on service standards');
    if (at < 0) return 'missing';
    const [heading, paragraph, one, two] = all.slice(at, at + 4);
    return [
      heading.kind,
      paragraph.spans.find((s) => s.text === 'Each')?.bold,
      paragraph.spans.find((s) => s.text === 'its')?.italic,
      textOf(paragraph),
      one.kind,
      textOf(two),
    ].join(' | ');
  }, { timeout: 10_000 }).toBe('subsection | true | true | Each service publishes its standards. | bullet | Answer within 15 days');
  expect(city.errors).toEqual([]);
});

test('the outline jumps to a chapter, and readers get headings and numbered articles', async ({ browser, page }) => {
  const draft = await charter(page);
  const city = await writer(browser, 'gov@demo.baraza', draft.url);
  await city.page.getByRole('navigation', { name: 'Contents' }).getByRole('link', { name: /^Chapter 5\./ }).click();
  await city.page.keyboard.type('Part two. ');
  await expect(city.page.locator('.ql-editor h1', { hasText: 'Part two. Chapter 5.' })).toBeVisible();

  // A reader, on a phone: real headings and articles with their own addresses.
  await page.setViewportSize({ width: 390, height: 800 });
  // The edit reaches the server a moment after it shows in the writer's editor: the page is
  // read again until it carries it.
  await expect(async () => {
    await page.goto(draft.url);
    await expect(page.getByRole('heading', { level: 2, name: /Part two\. Chapter 5\./ })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  const article = page.locator('#art-1');
  await expect(article.locator('.article-number')).toHaveText('1.');
  await page.getByRole('navigation', { name: 'Contents' }).getByRole('link', { name: /^Chapter 2\./ }).click();
  await expect(page).toHaveURL(/#ch-2$/);
  await expectAccessible(page);
  await page.screenshot({ path: 'test-results/reading-phone.png' });
  expect(city.errors).toEqual([]);
});
