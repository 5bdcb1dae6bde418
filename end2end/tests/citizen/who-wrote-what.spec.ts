// "Who wrote what" colours the live text by the group each writer spoke for, and stays live:
// words the city types while a citizen watches arrive coloured as the city's.
import { test, expect } from '@playwright/test';
import { caretBefore, draftIn, expectAccessible, signIn, watchErrors } from '../helpers';

test('a reader colours the live text by who wrote it, and new words arrive coloured', async ({ browser }) => {
  const reader = await (await browser.newContext()).newPage();
  const errors = watchErrors(reader);
  await signIn(reader, 'citizen@demo.baraza');
  const url = await draftIn(reader, 'drafting');
  await reader.goto(url);
  await expect(reader.getByText('You are reading live')).toBeVisible();
  const live = reader.locator('.live-text');
  await expect(live.locator('[class^="by-"]')).toHaveCount(0);
  await reader.getByLabel('Colour the text by who wrote it').check();
  // The demo's text was written by City Hall, Open Data Kalden and the Council of Elders.
  await expect(live.locator('.by-government').first()).toBeVisible();
  await expect(live.locator('.by-informal').first()).toBeVisible();
  await expect(live.locator('.by-civil_society').first()).toBeVisible();
  await expect(live.locator('.by-government').first()).toHaveAttribute('title', /Kalden City Hall/);

  // The elders write while the citizen watches: their words arrive coloured as theirs.
  const elders = await (await browser.newContext()).newPage();
  const elderErrors = watchErrors(elders);
  await signIn(elders, 'informal@demo.baraza');
  await elders.goto(url);
  await expect(elders.getByRole('textbox', { name: 'Draft text' })).toBeEditable();
  await caretBefore(elders, 'Each process has at least one trained mediator');
  await elders.keyboard.type('Elders name mediators too. ');
  await expect.poll(async () => (await live.locator('.by-informal').allTextContents()).join('')).toContain('Elders name mediators too.');
  await expectAccessible(reader);
  await reader.locator('.live-text .by-informal', { hasText: 'Elders name mediators too.' }).first().scrollIntoViewIfNeeded();
  await reader.screenshot({ path: 'test-results/who-wrote-what.png' });

  // The writer can colour the editor too.
  await elders.getByLabel('Colour the text by who wrote it').check();
  await expect(elders.locator('.ql-writers .writer-mark.by-informal').first()).toBeAttached();
  await elders.getByLabel('Colour the text by who wrote it').uncheck();
  await expect(elders.locator('.ql-writers .writer-mark')).toHaveCount(0);
  await reader.getByLabel('Colour the text by who wrote it').uncheck();
  await expect(live.locator('[class^="by-"]')).toHaveCount(0);
  expect(errors).toEqual([]);
  expect(elderErrors).toEqual([]);
});
