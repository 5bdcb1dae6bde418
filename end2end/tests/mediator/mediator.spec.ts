// The mediator tends the process: rules of engagement and phases, in the open.
import { test, expect } from '@playwright/test';
import { expectAccessible, processIn, signIn } from '../helpers';

test('edits the rules of engagement, with an error first, and the log shows it', async ({ page }) => {
  await signIn(page, 'mediator@demo.baraza');
  const id = await processIn(page, 'drafting');
  await page.goto(`/processes/${id}`);
  await page.getByRole('link', { name: "Mediator's tools" }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText("Mediator's tools");
  await expectAccessible(page);

  const english = page.getByLabel('Rules of engagement (en)');
  await english.fill('');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('alert')).toContainText('This field is required.');
  await expectAccessible(page);
  // The error links to the field it is about.
  await page.getByRole('alert').getByRole('link', { name: 'This field is required.' }).click();
  await expect(page.getByLabel('Rules of engagement (en)')).toBeFocused();

  await page.getByLabel('Rules of engagement (en)').fill('Listen before you answer.\n\n- Speak for yourself or your organisation\n- One voice at a time');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toHaveText('Your changes are saved.');
  await expect(page.getByRole('region', { name: 'Rules of engagement' }).getByRole('listitem')).toHaveText([
    'Speak for yourself or your organisation',
    'One voice at a time',
  ]);
  await expect(page.getByRole('region', { name: 'Public activity log' })).toContainText('Rules of engagement edited');
});

test('has no tools left once a process is closed', async ({ page }) => {
  await signIn(page, 'mediator@demo.baraza');
  const id = await processIn(page, 'closed');
  await page.goto(`/processes/${id}`);
  await expect(page.getByRole('link', { name: "Mediator's tools" })).toHaveCount(0);
  const response = await page.goto(`/processes/${id}/manage`);
  expect(response?.status()).toBe(403);
});
