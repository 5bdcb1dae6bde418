// Comparing two named versions: only the changes, each named ("Article 19 inserted"), with the
// words that changed, next and previous change, and the whole text one link away.
import { test, expect } from '@playwright/test';
import { caretBefore, draftIn, expectAccessible, signIn, watchErrors } from '../helpers';

test('a co-drafter compares two versions and steps through the named changes', async ({ browser }) => {
  test.setTimeout(60_000);
  const page = await (await browser.newContext()).newPage();
  const errors = watchErrors(page);
  await signIn(page, 'gov@demo.baraza');
  await page.goto(await draftIn(page, 'drafting'));
  const text = page.getByRole('textbox', { name: 'Draft text' });
  await expect(text).toBeEditable();
  const versions = page.getByRole('region', { name: 'Named versions' });
  const nameVersion = async (name: string) => {
    await page.getByLabel('Name of the version').fill(name);
    await page.getByRole('button', { name: 'Name version' }).click();
    await expect(page.locator('#notice')).toContainText('The version is named');
    await expect(text).toBeEditable();
  };
  await nameVersion('Before the second reading');
  // The articles' numbers now (other stories may have added articles to this draft before).
  const id = new URL(page.url()).pathname.split('/').pop();
  const detail = await (await page.request.get(`/api/v1/drafts/${id}`)).json();
  const numberOf = (words: string) =>
    detail.blocks.find((b: { spans: { text: string }[] }) => b.spans.map((s) => s.text).join('').includes(words)).number;
  const openData = `Article ${numberOf('free to reuse')}`;
  const mediators = `Article ${numberOf('City Hall keeps a pool of mediators')}`;

  // A new article before the one on mediators (Enter splits the article: both halves are
  // articles, and the numbers after follow), and two words in the open-data article.
  await caretBefore(page, 'City Hall keeps a pool of mediators');
  await page.keyboard.type('Mediators publish a short report after every sitting.');
  await page.keyboard.press('Enter');
  await caretBefore(page, 'free to reuse');
  await page.keyboard.type('always ');
  await expect(text).toContainText('is always free to reuse');
  await nameVersion('After the second reading');

  await page.reload();
  const after = versions.getByRole('listitem').filter({ hasText: 'After the second reading' });
  await after.getByRole('link', { name: 'compare with the version before' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Before the second reading');
  const list = page.getByRole('navigation', { name: /Changes: 2/ });
  await expect(list.getByRole('link')).toHaveText([`${openData} changed`, `${mediators} inserted`]);
  const changed = page.getByRole('region', { name: `${openData} changed` });
  await expect(changed.locator('ins')).toHaveText('always ');
  await expect(changed).toContainText('Published data is');
  // Changes only: an article nobody touched is not on the page.
  await expect(page.getByText('No single model of participation fits')).toHaveCount(0);
  await changed.getByRole('link', { name: 'Next change' }).click();
  await expect(page).toHaveURL(/#change-2$/);
  const inserted = page.getByRole('region', { name: `${mediators} inserted` });
  await expect(inserted.locator('ins')).toContainText('Mediators publish a short report');
  await expect(inserted.getByRole('link', { name: 'Previous change' })).toBeVisible();
  await expectAccessible(page);
  await page.screenshot({ path: 'test-results/compare-changes.png', fullPage: true });

  // The whole text, with the changes marked where they are.
  await page.getByRole('link', { name: 'Show the whole text with the changes marked' }).click();
  await expect(page.getByText('No single model of participation fits')).toBeVisible();
  await expect(page.locator('#change-2 ins')).toContainText('Mediators publish a short report');
  await expectAccessible(page);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(page.url().replace('&whole=1', '') + '#change-1');
  await page.screenshot({ path: 'test-results/compare-phone.png' });
  expect(errors).toEqual([]);
});
