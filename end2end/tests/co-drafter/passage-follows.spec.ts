// A comment on a passage stays with the passage while co-drafters rewrite around it and inside it.
// (On the Chinese working draft, so that it never races the English draft's stories.)
import { test, expect } from '@playwright/test';
import { caretBefore, draftIn, selectInText, signIn, watchErrors } from '../helpers';

const PASSAGE = '人们在参与中学会对话';

test('the highlight follows its passage through the co-drafters\' edits', async ({ browser }) => {
  const mediator = await (await browser.newContext()).newPage();
  const errors = watchErrors(mediator);
  await signIn(mediator, 'mediator@demo.baraza');
  await mediator.goto(await draftIn(mediator, 'drafting', 'zh-Hans'));
  await expect(mediator.getByText('You are reading live')).toBeVisible();
  await selectInText(mediator, PASSAGE);
  await expect(mediator.getByLabel('Passage (optional)')).toHaveValue(PASSAGE);
  await mediator.getByRole('region', { name: 'Add a comment' }).getByLabel('Your comment').fill('Please say how the mediator knows who has not spoken yet: a list kept by the secretariat?');
  await mediator.getByRole('button', { name: 'Post comment' }).click();
  await expect(mediator.locator('#notice')).toHaveText('Your comment is posted.');
  const id = await mediator.locator('#threads > li', { hasText: 'who has not spoken yet' }).getAttribute('data-thread');
  // The highlight may be in several pieces (someone's caret splits it): read them together.
  const highlighted = (page: typeof mediator) => async () =>
    (await page.locator(`.live-text mark.passage[data-threads~="${id}"]`).allTextContents()).join('');
  await expect.poll(highlighted(mediator)).toBe(PASSAGE);

  // The city rewrites: words before the passage, and inside it.
  const city = await (await browser.newContext()).newPage();
  const cityErrors = watchErrors(city);
  await signIn(city, 'gov@demo.baraza');
  await city.goto(mediator.url());
  const text = city.getByRole('textbox', { name: 'Draft text' });
  await expect(text).toBeEditable();
  const typeAt = async (before: string, words: string) => {
    await caretBefore(city, before);
    await city.keyboard.type(words);
  };
  await typeAt('人们在参与中', '因此');
  await typeAt('学会对话', '逐步');
  const moved = '人们在参与中逐步学会对话';
  await expect.poll(highlighted(mediator)).toBe(moved);
  await expect(mediator.locator('.live-text')).toContainText('因此人们在参与中');
  // The co-drafter sees the highlight in the editor too.
  await expect(city.locator(`.ql-marks .passage-mark[data-threads~="${id}"]`).first()).toBeAttached();

  // After a reload the server places the passage where it now is.
  await mediator.reload();
  await expect.poll(highlighted(mediator)).toBe(moved);
  expect(errors).toEqual([]);
  expect(cityErrors).toEqual([]);
});
