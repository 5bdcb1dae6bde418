// Members of co-drafting organisations: government, civil society, informal institutions.
import { test, expect } from '@playwright/test';
import { draftIn, expectAccessible, processIn, signIn } from '../helpers';

for (const [email, organisation] of [
  ['gov@demo.baraza', 'Kalden City Hall'],
  ['civil@demo.baraza', 'Open Data Kalden'],
  ['informal@demo.baraza', 'Council of Elders'],
]) {
  test(`${email} may write in the draft while drafting, for ${organisation}`, async ({ page }) => {
    await signIn(page, email);
    await page.goto(`/processes/${await processIn(page, 'drafting')}`);
    const part = page.getByRole('complementary', { name: 'Your part' });
    await expect(part).toContainText('Write in the draft');
    await expect(part).toContainText('Speak in sittings');
    await expect(part.getByRole('link', { name: "Mediator's tools" })).toHaveCount(0);
    await expect(page.getByRole('region', { name: 'Who takes part' }).getByRole('link', { name: new RegExp(organisation) })).toBeVisible();

    await page.goto('/account');
    await expect(page.getByRole('heading', { name: 'Your organisations' })).toBeVisible();
    await expect(page.getByRole('link', { name: new RegExp(organisation) })).toBeVisible();
    await expectAccessible(page);
  });
}

test('a co-drafter cannot use the mediator tools', async ({ page }) => {
  await signIn(page, 'gov@demo.baraza');
  const response = await page.goto(`/processes/${await processIn(page, 'drafting')}/manage`);
  expect(response?.status()).toBe(403);
});

test('a co-drafter during public comment is told why the text is closed, and what they can do', async ({ page }) => {
  await signIn(page, 'gov@demo.baraza');
  await page.goto(await draftIn(page, 'public_comment'));
  await expect(page.locator('.your-part').first()).toHaveText(
    'Writing in this draft is closed during “Public comment”: the text stays as the co-drafters left it. You can still comment on it, for your organisation or as yourself, below.',
  );
  // The page does not pretend anyone is typing.
  await expect(page.getByText('The text does not change in this phase')).toBeVisible();
  await expect(page.getByText('as they type')).toHaveCount(0);
  await expect(page.getByRole('textbox', { name: 'Draft text' })).toHaveCount(0);
  await expectAccessible(page);
});
