// On a wide screen each comment thread stands in the margin beside its passage, as in a word
// processor; narrower, the threads are the list under the text again.
import { test, expect, type Page } from '@playwright/test';
import { draftIn, expectAccessible, signIn, watchErrors } from '../helpers';

type Box = { id: string; top: number; bottom: number; left: number; passage: number | null };

/** Where each thread is, and where the first highlight of its passage is. */
async function layout(page: Page): Promise<Box[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('#threads > li.thread')].map((li) => {
      const id = li.dataset.thread!;
      const marks = [...document.querySelectorAll(`.live-text mark.passage[data-threads~="${id}"]`)]
        .map((m) => m.getBoundingClientRect())
        .filter((r) => r.height > 0);
      const box = li.getBoundingClientRect();
      return {
        id,
        top: box.top + window.scrollY,
        bottom: box.bottom + window.scrollY,
        left: box.left,
        passage: marks.length ? Math.min(...marks.map((r) => r.top)) + window.scrollY : null,
      };
    }),
  );
}

test('threads stand beside their passages on a wide screen, and under the text on a narrow one', async ({ page }) => {
  const errors = watchErrors(page);
  await page.setViewportSize({ width: 1600, height: 1000 });
  await page.goto(await draftIn(page, 'public_comment'));
  await expect(page.locator('main')).toHaveClass(/threads-beside/);
  const text = await page.locator('.editor-column').boundingBox();
  const boxes = await layout(page);
  const placed = boxes.filter((b) => b.passage !== null);
  expect(placed.length, 'threads on passages').toBeGreaterThan(1);
  // In the margin, to the right of the text.
  for (const b of boxes) expect(b.left).toBeGreaterThan(text!.x + text!.width);
  // Never above its passage; the first one level with it.
  const byTop = [...boxes].sort((a, b) => a.top - b.top);
  for (const b of placed) expect(b.top).toBeGreaterThanOrEqual(b.passage! - 1);
  const first = [...placed].sort((a, b) => a.passage! - b.passage!)[0];
  const wholeDraft = boxes.filter((b) => b.passage === null).length;
  if (wholeDraft === 0) expect(Math.abs(first.top - first.passage!)).toBeLessThan(2);
  // None over another.
  for (let i = 1; i < byTop.length; i++) expect(byTop[i].top).toBeGreaterThanOrEqual(byTop[i - 1].bottom);
  await expectAccessible(page);
  await page.screenshot({ path: 'test-results/margin-threads-wide.png', fullPage: true });

  // Following a passage's marker opens its thread whole, over the ones below.
  // (The marker's box is its badge, drawn by ::after; the link itself has no width.)
  const marker = page.locator('.live-text a.thread-marker').first();
  await marker.evaluate((a: HTMLElement) => a.click());
  const target = page.locator('#threads > li.thread:target');
  await expect(target).toHaveCount(1);
  await expect(target).toHaveCSS('z-index', '4');

  // Narrower (a laptop): the list under the text, in reading order.
  await page.setViewportSize({ width: 1100, height: 900 });
  await expect(page.locator('main')).not.toHaveClass(/threads-beside|threads-under/);
  const article = await page.locator('article.draft').boundingBox();
  const narrow = await layout(page);
  expect(narrow[0].top).toBeGreaterThan(article!.y + article!.height);
  for (let i = 1; i < narrow.length; i++) expect(narrow[i].top).toBeGreaterThanOrEqual(narrow[i - 1].bottom - 1);
  await page.screenshot({ path: 'test-results/margin-threads-narrow.png' });
  expect(errors).toEqual([]);
});

test('a co-drafter writing in the editor has the threads beside the highlights there', async ({ page }) => {
  const errors = watchErrors(page);
  await page.setViewportSize({ width: 1600, height: 1000 });
  await signIn(page, 'gov@demo.baraza');
  await page.goto(await draftIn(page, 'drafting'));
  await expect(page.getByRole('textbox', { name: 'Draft text' })).toBeEditable();
  // A comment on a passage, typed into the form (the server finds the words).
  const form = page.getByRole('region', { name: 'Add a comment' });
  await form.getByLabel('Passage (optional)').fill('published in one place, in plain language');
  await form.getByLabel('Your comment').fill('Which place? Name the website and the library shelf.');
  await form.getByRole('button', { name: 'Post comment' }).click();
  await expect(page.locator('#notice')).toHaveText('Your comment is posted.');
  await expect(page.getByRole('textbox', { name: 'Draft text' })).toBeEditable();
  await expect(page.locator('main')).toHaveClass(/threads-beside/);
  const placed = () =>
    page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('#threads > li.thread')].flatMap((li) => {
        const marks = [...document.querySelectorAll(`.passage-mark[data-threads~="${li.dataset.thread}"]`)];
        if (!marks.length) return [];
        const mark = Math.min(...marks.map((m) => m.getBoundingClientRect().top));
        return [{ top: li.getBoundingClientRect().top, mark }];
      }),
    );
  // The editor draws its highlights once it has the document; the thread follows them.
  await expect.poll(async () => (await placed()).length, { message: 'threads on passages in the editor' }).toBeGreaterThan(0);
  await expect.poll(async () => (await placed()).every((p) => p.top >= p.mark - 1 && p.top < p.mark + 400)).toBe(true);
  await page.locator('#threads > li.thread').first().scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/margin-threads-editor.png' });
  expect(errors).toEqual([]);
});

test('on a phone a paragraph opens its threads right under it, and folds them again', async ({ page }) => {
  const errors = watchErrors(page);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(await draftIn(page, 'public_comment'));
  await expect(page.locator('main')).toHaveClass(/threads-under/);
  const button = page.getByRole('button', { name: /^Comments on this paragraph: \d+$/ }).first();
  await expect(button).toHaveAttribute('aria-expanded', 'false');
  // Under the paragraph it is about.
  const paragraphOf = async () => {
    const at = await button.getAttribute('data-block');
    return page.locator(`.live-text [data-block-start="${at}"]`);
  };
  const paragraph = await paragraphOf();
  const below = async () => (await paragraph.boundingBox())!;
  expect((await button.boundingBox())!.y).toBeGreaterThan((await below()).y + (await below()).height - 1);
  const folded = page.locator('#threads > li.thread.under.folded');
  const before = await folded.count();
  expect(before).toBeGreaterThan(0);
  await expectAccessible(page);

  await button.click();
  await expect(button).toHaveAttribute('aria-expanded', 'true');
  await expect(button).toBeFocused();
  const opened = page.locator('#threads > li.thread.under:not(.folded)').first();
  await expect(opened).toBeVisible();
  const openBox = (await opened.boundingBox())!;
  const buttonBox = (await button.boundingBox())!;
  expect(openBox.y).toBeGreaterThanOrEqual(buttonBox.y + buttonBox.height);
  // The paragraph made room: the next one starts below its open threads.
  const room = await paragraph.evaluate((p) => {
    const all = [...document.querySelectorAll('.live-text [data-block-start]')];
    const after = all[all.indexOf(p) + 1];
    const open = [...document.querySelectorAll('#threads > li.thread.under:not(.folded)')];
    const bottom = Math.max(...open.map((li) => li.getBoundingClientRect().bottom));
    return after ? { bottom, next: after.getBoundingClientRect().top } : null;
  });
  if (room) expect(room.next).toBeGreaterThan(room.bottom - 1);
  await expectAccessible(page);
  // The paragraph, its button and the start of its thread, on one screen.
  await paragraph.evaluate((p) => window.scrollTo(0, p.getBoundingClientRect().top + scrollY - 60));
  await page.screenshot({ path: 'test-results/threads-under-phone.png' });

  await button.click();
  await expect(button).toHaveAttribute('aria-expanded', 'false');
  await expect(folded).toHaveCount(before);
  expect(errors).toEqual([]);
});
