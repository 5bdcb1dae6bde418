// A new citizen confirms their email address with the link mailed to them: until then they read
// and follow, and every page says what is missing. Without an SMTP server (as here) the mail is
// kept in the outbox, where a site administrator reads it.
import { test, expect } from '@playwright/test';
import { expectAccessible, linkFromOutbox, processIn, watchErrors } from '../helpers';

test('signs up, is told to confirm the address before commenting, and confirms it from the mail', async ({ browser, page }) => {
  const errors = watchErrors(page);
  const email = `new-neighbour-${Date.now()}@example.org`;
  await page.goto('/auth/signup');
  await page.getByLabel('Display name').fill('New neighbour');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill('a new neighbour passphrase');
  await page.getByLabel('Repeat the password').fill('a new neighbour passphrase');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('status')).toContainText(`We sent a link to ${email}`);
  await expect(page.locator('.confirm-banner')).toContainText(`we sent a link to ${email}`);
  await expectAccessible(page);

  // Commenting is refused, with the reason and the way out.
  const process = await processIn(page, 'public_comment');
  await page.goto(`/processes/${process}`);
  await expect(page.locator('.confirm-banner')).toBeVisible();
  await page.locator('.confirm-banner').getByRole('link', { name: 'Send the link again' }).click();
  await expect(page.getByRole('heading', { name: 'Email address' })).toBeVisible();
  await expect(page.getByText(`${email} is not confirmed yet.`)).toBeVisible();
  await expectAccessible(page);

  const link = await linkFromOutbox(browser, email, 'Confirm your email address for Baraza', '/auth/verify/');
  await page.goto(link);
  await expect(page.getByText(`Confirm ${email} as the address`)).toBeVisible();
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Confirm the address' }).click();
  await expect(page.getByRole('status')).toContainText(`Your email address ${email} is confirmed.`);
  await expect(page.locator('.confirm-banner')).toHaveCount(0);
  expect(errors).toEqual([]);
});
