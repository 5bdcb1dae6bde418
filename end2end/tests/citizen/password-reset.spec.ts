// A citizen who forgot their password gets back in with a link by mail. Without an SMTP server
// (as here) the mail is kept in the outbox, where a site administrator reads it: the same mail a
// real deployment sends, in the citizen's language.
import { test, expect, type Browser } from '@playwright/test';
import { expectAccessible, linkFromOutbox, watchErrors } from '../helpers';

/** A new account preferring `language`, signed out again; returns its address. */
async function newAccount(browser: Browser, name: string, language: string): Promise<string> {
  const email = `forgetful-${Date.now()}@example.org`;
  const page = await browser.newPage();
  await page.goto('/auth/signup');
  await page.getByLabel('Display name').fill(name);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill('the first passphrase');
  await page.getByLabel('Repeat the password').fill('the first passphrase');
  await page.getByLabel('Preferred language').selectOption(language);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('link', { name })).toBeVisible();
  await page.close();
  return email;
}

test('asks for a link, reads it in the mail, and chooses a new password with it once', async ({ browser, page }) => {
  const errors = watchErrors(page);
  const email = await newAccount(browser, 'Forgetful neighbour', 'en');

  await page.goto('/auth/login');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Choose a new password');
  await expectAccessible(page);
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Send me a link' }).click();
  await expect(page.getByRole('status')).toContainText(`If an account uses ${email}`);
  await expectAccessible(page);

  const link = await linkFromOutbox(browser, email, 'Choose a new password for Baraza', '/auth/reset/');
  await page.goto(link);
  await expect(page.getByText(`Choose a new password for ${email}`)).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel('New password').fill('the second passphrase');
  await page.getByLabel('Repeat the password').fill('a different one');
  await page.getByRole('button', { name: 'Save the new password and sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('The two passwords are not the same.');
  await page.getByLabel('New password').fill('the second passphrase');
  await page.getByLabel('Repeat the password').fill('the second passphrase');
  await page.getByRole('button', { name: 'Save the new password and sign in' }).click();
  await expect(page.getByRole('status')).toContainText('Your new password is saved and you are signed in.');
  await expect(page.getByRole('link', { name: 'Forgetful neighbour' })).toBeVisible();

  // The link is used up.
  await page.goto(link);
  await expect(page.getByRole('alert')).toContainText('This link cannot be used any more');
  await expectAccessible(page);
  expect(errors).toEqual([]);
});

test('a person who prefers Chinese gets the mail in Chinese', async ({ browser, page }) => {
  const email = await newAccount(browser, '健忘的邻居', 'zh-Hans');
  await page.goto('/auth/reset');
  await page.getByLabel(/Email address|电子邮箱地址/).fill(email);
  await page.getByRole('button', { name: /Send me a link|发送链接/ }).click();
  await expect(page.getByRole('status')).toContainText(email);
  const link = await linkFromOutbox(browser, email, '设置您的 Baraza 新密码', '/auth/reset/');
  await page.goto(link);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(/Choose a new password|设置新密码/);
});
