// The site administrator opens processes, assigns roles, verifies organisations.
import { test, expect } from '@playwright/test';
import { expectAccessible, signIn } from '../helpers';

test('opens a process, assigns roles, and the public sees it', async ({ page }) => {
  await signIn(page, 'admin@demo.baraza');
  await page.getByRole('link', { name: 'Administration' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Administration');
  await expectAccessible(page);

  await page.getByRole('link', { name: 'Open a new process' }).first().click();
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('alert')).toContainText('Enter a title in the process');

  await page.getByLabel('Title (en)').fill('Market stalls by-law');
  await page.getByLabel('Title (zh-Hans)').fill('市场摊位条例');
  await page.getByLabel('Summary (en)').fill('How the lakeshore market allocates stalls.');
  await page.getByLabel('Starts on').first().fill('2026-12-01');
  await page.getByLabel('Ends on').first().fill('2026-12-31');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toHaveText('The process is open, in its framing phase.');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Market stalls by-law');

  await page.getByRole('link', { name: 'Administer this process' }).click();
  await expectAccessible(page);
  await page.getByRole('textbox', { name: 'Email address' }).fill('mediator@demo.baraza');
  await page.getByRole('button', { name: 'Assign' }).click();
  await expect(page.getByRole('status')).toHaveText('Your changes are saved.');
  await expect(page.getByRole('listitem').filter({ hasText: 'Mediator' }).first()).toBeVisible();

  await page.goto('/');
  await expect(page.getByRole('link', { name: 'Market stalls by-law' })).toBeVisible();
});

test('verifies an organisation waiting for it', async ({ page }) => {
  await signIn(page, 'admin@demo.baraza');
  await page.goto('/organisations');
  const waiting = page.getByRole('listitem').filter({ hasText: 'Awaiting verification' }).first();
  await waiting.getByRole('link').click();
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Verify this organisation' }).click();
  await expect(page.getByRole('status')).toHaveText('Your changes are saved.');
  await expect(page.locator('.meta')).toContainText('Verified');
});
