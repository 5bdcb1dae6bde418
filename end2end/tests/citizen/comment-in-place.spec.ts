// Commenting where one reads: selecting words shows "Comment" right there and opens the form
// beside them; a keyboard user comments on "this paragraph" without selecting anything.
import { test, expect } from '@playwright/test';
import { draftIn, expectAccessible, selectInText, signIn, watchErrors } from '../helpers';

const WORDS = 'Technology is a tool, not a goal';

test('a reader comments from the button beside the selection, and from the keyboard', async ({ page }) => {
  const errors = watchErrors(page);
  await signIn(page, 'citizen@demo.baraza');
  await page.goto(await draftIn(page, 'public_comment'));
  await expect(page.getByText('The text does not change in this phase')).toBeVisible();

  // Selecting words: the button appears beside them, and opens the form next to them.
  await selectInText(page, WORDS);
  const float = page.getByRole('button', { name: 'Comment', exact: true });
  await expect(float).toBeVisible();
  // Positions in the page (the page scrolls when the form takes focus).
  const selected = await page.evaluate(() => getSelection()!.getRangeAt(0).getBoundingClientRect().bottom + scrollY);
  const top = (locator: typeof float) => locator.evaluate((e) => e.getBoundingClientRect().top + scrollY);
  expect(Math.abs((await top(float)) - selected)).toBeLessThan(40);
  await float.click();
  const form = page.getByRole('region', { name: 'Add a comment' });
  await expect(form).toHaveClass(/floating/);
  await expect(form.getByLabel('Your comment')).toBeFocused();
  await expect(form.getByLabel('Passage (optional)')).toHaveValue(WORDS);
  await page.screenshot({ path: 'test-results/comment-beside.png' });
  expect(Math.abs((await top(form)) - selected)).toBeLessThan(200);
  await expectAccessible(page);
  await form.getByLabel('Your comment').fill('Please name who checks that test, and when.');
  await form.getByRole('button', { name: 'Post comment' }).click();
  await expect(page.locator('#notice')).toHaveText('Your comment is posted.');
  await expect(page.locator('#threads > li', { hasText: 'who checks that test' }).locator('blockquote')).toContainText(WORDS);

  // The keyboard: each paragraph has a button that comes into view when it has focus.
  const paragraph = page.locator('#art-2');
  const button = paragraph.getByRole('button', { name: 'Comment on this paragraph' });
  await button.focus();
  await expect(button).toBeVisible();
  const size = await button.boundingBox();
  expect(size!.height).toBeGreaterThanOrEqual(24);
  await page.keyboard.press('Enter');
  await expect(form.getByLabel('Your comment')).toBeFocused();
  const article = (await paragraph.evaluate((p) => Array.from(p.querySelectorAll('[data-at]')).map((n) => n.textContent).join(''))).trim();
  await expect(form.getByLabel('Passage (optional)')).toHaveValue(article);
  // Escape puts the form back in its place.
  await page.keyboard.press('Escape');
  await expect(form).not.toHaveClass(/floating/);
  expect(errors).toEqual([]);
});

test.describe('on a touch screen', () => {
  test.use({ hasTouch: true, isMobile: true, viewport: { width: 390, height: 844 } });

  test('a long press selects the word under the finger and offers "Comment" beside it', async ({ page }) => {
    const errors = watchErrors(page);
    await signIn(page, 'citizen@demo.baraza');
    await page.goto(await draftIn(page, 'public_comment'));
    await expect(page.getByText('The text does not change in this phase')).toBeVisible();
    const paragraph = page.locator('#art-3');
    await paragraph.scrollIntoViewIfNeeded();
    const box = (await paragraph.boundingBox())!;
    // A finger resting on the text for a second (Chromium's touch events, as a phone sends them).
    const cdp = await page.context().newCDPSession(page);
    const at = { x: box.x + box.width / 2, y: box.y + 12 };
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [at] });
    await page.waitForTimeout(800);
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    const word = await page.evaluate(() => String(getSelection()).trim());
    expect(word.length).toBeGreaterThan(0);
    expect(word).not.toContain(' ');
    const float = page.getByRole('button', { name: 'Comment', exact: true });
    await expect(float).toBeVisible();
    await float.tap();
    const form = page.getByRole('region', { name: 'Add a comment' });
    await expect(form.getByLabel('Passage (optional)')).toHaveValue(word);
    await page.screenshot({ path: 'test-results/long-press-comment.png' });
    expect(errors).toEqual([]);
  });
});
