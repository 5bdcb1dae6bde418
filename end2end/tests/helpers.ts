import { expect, type Browser, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

export const PASSWORD = 'baraza-demo';

/** Signs in through the real form, as a person would. */
export async function signIn(page: Page, email: string) {
  await page.goto('/auth/login');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // The notice comes in the person's own language (some demo accounts prefer Chinese).
  await expect(page.getByRole('status')).toHaveText(/You are signed in\.|您已登录。/);
}

/** Fails on any serious or critical accessibility violation of the current page. */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    bad.map((v) => `${v.impact}: ${v.id} ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`),
    `axe on ${page.url()}`,
  ).toEqual([]);
}

/** The id of the demo process in a phase, from the open-data API. */
export async function processIn(page: Page, phase: string): Promise<number> {
  const response = await page.request.get('/api/v1/processes');
  const { processes } = await response.json();
  const found = processes.find((p: { phase: string }) => p.phase === phase);
  expect(found, `a demo process in ${phase}`).toBeTruthy();
  return found.id;
}

/** Collects console errors and uncaught exceptions (hydration problems show up here). Chromium also
 * logs every 4xx page as an error; a form answered with 400 is intended, so those are left out. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) {
      errors.push(m.text());
    }
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

/** Selects `words` in the live reading view, as a reader dragging over them would. The words
 * may span several text nodes (another writer's caret or a highlight splits them). */
export async function selectInText(page: Page, words: string) {
  await page.evaluate((words) => {
    const root = document.querySelector('.live-text');
    if (!root) throw new Error('no reading view');
    const nodes: Text[] = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) nodes.push(node as Text);
    const text = nodes.map((n) => n.data).join('');
    const at = text.indexOf(words);
    if (at < 0) throw new Error(`"${words}" is not in the reading view`);
    // The text node and offset of a position in the whole text.
    const locate = (position: number, end: boolean): [Text, number] => {
      let before = 0;
      for (const node of nodes) {
        const after = before + node.data.length;
        if (position < after || (end && position === after)) return [node, position - before];
        before = after;
      }
      const last = nodes[nodes.length - 1];
      return [last, last.data.length];
    };
    const range = document.createRange();
    range.setStart(...locate(at, false));
    range.setEnd(...locate(at + words.length, true));
    const selection = getSelection()!;
    selection.removeAllRanges();
    selection.addRange(range);
  }, words);
}

/** Puts the caret just before `words` in the co-drafters' editor by clicking there, as a writer
 * would (at the left edge of their first character). */
export async function caretBefore(page: Page, words: string) {
  // Where the words are is measured, then clicked: the editor's surroundings may still move in
  // between (the toolbar and the list of who is here settle once the text has arrived), so the
  // caret is checked and the click made again where the words are now.
  for (let attempt = 0; ; attempt++) {
    const box = await page.evaluate((words) => {
      const root = document.querySelector('.ql-editor')!;
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = (node as Text).data.indexOf(words);
        if (at < 0) continue;
        node.parentElement!.scrollIntoView({ block: 'center' });
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + 1);
        const r = range.getBoundingClientRect();
        return { x: r.left, y: r.top + r.height / 2 };
      }
      throw new Error(`"${words}" is not in one stretch of the editor's text`);
    }, words);
    await page.mouse.click(box.x + 1, box.y);
    const placed = await page.evaluate((words) => {
      const selection = window.getSelection();
      const root = document.querySelector('.ql-editor')!;
      if (!selection?.isCollapsed || !selection.focusNode || document.activeElement !== root) return false;
      const after = document.createRange();
      after.setStart(selection.focusNode, selection.focusOffset);
      after.setEnd(root, root.childNodes.length);
      return after.toString().startsWith(words);
    }, words);
    if (placed) return;
    if (attempt === 3) throw new Error(`the caret did not go before "${words}"`);
  }
}

/** The editor's text as a reader sees it (paragraphs on lines of their own). */
export async function editorText(page: Page): Promise<string> {
  return page.locator('.ql-editor').innerText();
}

/** The URL of the demo's draft in a phase, in a language. */
export async function draftIn(page: Page, phase: string, language = 'en'): Promise<string> {
  const id = await processIn(page, phase);
  const detail = await (await page.request.get(`/api/v1/processes/${id}`)).json();
  return detail.drafts.find((d: { language: string }) => d.language === language).url;
}

/** The link to `path` (e.g. `/auth/reset/`) in the newest mail to `email` with `subject`, read
 * in the outbox by a site administrator: without an SMTP server (as in these tests) that is where
 * mail is kept. */
/** The plain text of the newest mail to `email` whose subject holds `subject`, as the administrators' outbox shows it. */
export async function mailFromOutbox(browser: Browser, email: string, subject: string): Promise<string> {
  const context = await browser.newContext();
  const admin = await context.newPage();
  await signIn(admin, 'admin@demo.baraza');
  await admin.goto('/admin/outbox');
  const row = admin.getByRole('row').filter({ hasText: email }).filter({ hasText: subject }).first();
  // The delivery worker keeps waiting mail within a second.
  await expect(async () => {
    await admin.reload();
    await expect(row).toContainText('Kept here', { timeout: 1000 });
  }).toPass();
  await expectAccessible(admin);
  await row.getByText(subject).click();
  const body = await row.locator('pre').innerText();
  await expectAccessible(admin);
  await context.close();
  return body;
}

/** The link to `path` followed by a token in the newest such mail (see mailFromOutbox). */
export async function linkFromOutbox(browser: Browser, email: string, subject: string, path: string): Promise<string> {
  const body = await mailFromOutbox(browser, email, subject);
  const escaped = path.replace(/\//g, '\\/');
  const link = body.match(new RegExp(`https?://\\S+${escaped}[0-9a-f]{64}`));
  expect(link, body).toBeTruthy();
  return link![0];
}

/** Posts a form as the page's signed-in person would (same origin), and gives where it led. */
export async function post(page: Page, path: string, form: Record<string, string>): Promise<string> {
  const response = await page.request.post(path, {
    form,
    maxRedirects: 0,
    headers: { Origin: new URL(page.url()).origin },
  });
  expect(response.status(), `${path} ${JSON.stringify(form)}: ${await response.text()}`).toBe(303);
  return response.headers()['location'];
}
