// A citizen: creates an account, finds where they can take part, manages their account.
import { test, expect } from '@playwright/test';
import { expectAccessible, processIn, signIn, watchErrors } from '../helpers';

test('signs up, with the password toggle (an island) and clear errors', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('/auth/signup');
  await page.getByLabel('Display name').fill('Riverside neighbour');
  await page.getByLabel('Email address').fill(`neighbour-${Date.now()}@example.org`);
  const password = page.getByLabel('Password', { exact: true });
  await password.fill('short');
  await page.getByLabel('Repeat the password').fill('short');
  // The island hydrated: its button shows what was typed.
  const toggle = page.getByRole('button', { name: 'Show' }).first();
  await expect(toggle).toBeVisible();
  await toggle.click();
  await expect(password).toHaveAttribute('type', 'text');
  await expect(page.getByRole('button', { name: 'Hide' }).first()).toHaveAttribute('aria-pressed', 'true');

  await page.getByRole('button', { name: 'Create account' }).click();
  const summary = page.getByRole('alert');
  await expect(summary).toContainText('The password needs at least 10 characters.');
  // Nothing typed is lost (except the password, which is never sent back).
  await expect(page.getByLabel('Display name')).toHaveValue('Riverside neighbour');
  await expectAccessible(page);

  await page.getByLabel('Password', { exact: true }).fill('a river runs through it');
  await page.getByLabel('Repeat the password').fill('a river runs through it');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('status')).toContainText('Your account is ready and you are signed in.');
  await expect(page.getByRole('link', { name: 'Riverside neighbour' })).toBeVisible();
  expect(errors).toEqual([]);
});

test('may comment only in the public-comment phase, and says so', async ({ page }) => {
  await signIn(page, 'citizen@demo.baraza');
  await page.goto(`/processes/${await processIn(page, 'drafting')}`);
  await expect(page.getByRole('complementary', { name: 'Your part' })).toContainText('there is nothing for you to do yet');
  await expect(page.getByRole('link', { name: "Mediator's tools" })).toHaveCount(0);

  await page.goto(`/processes/${await processIn(page, 'public_comment')}`);
  await expect(page.getByRole('complementary', { name: 'Your part' })).toContainText('Comment on the draft');
  await expectAccessible(page);

  // Administration is not for citizens.
  const response = await page.goto('/admin');
  expect(response?.status()).toBe(403);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Only site administrators may do this.');
});

test('manages the account', async ({ page }) => {
  // This reader prefers Chinese; for this visit they switch the interface to English.
  await signIn(page, 'lakeside.reader@demo.baraza');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-Hans');
  await page.getByLabel('语言').selectOption('en');
  await page.getByRole('button', { name: '切换' }).click();
  await page.goto('/account');
  await expectAccessible(page);
  // Spaces pass the browser's own check; the server's catches them.
  await page.getByRole('textbox', { name: 'Display name' }).fill('   ');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('alert')).toContainText('Enter a display name; a pseudonym is fine.');
  await page.getByRole('textbox', { name: 'Display name' }).fill('湖畔读书人');
  await page.getByLabel('Preferred language').selectOption('zh-Hans');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toHaveText('您的更改已保存。');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-Hans');
});
