// An anonymous member of the public: reads everything, in English or Chinese, with or without JavaScript.
import { test, expect } from '@playwright/test';
import { expectAccessible, processIn, watchErrors } from '../helpers';

test('reads the processes, a process, how it works and the organisations', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('/');
  await expect(page).toHaveTitle(/Public deliberation/);
  await expect(page.getByRole('heading', { name: 'Open for your input' })).toBeVisible();
  await expectAccessible(page);

  await page.getByRole('link', { name: /Kalden Charter/ }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Kalden Charter');
  await expect(page.getByText('To take part, sign in.')).toBeVisible();
  await expect(page.locator('.timeline [aria-current="step"]')).toContainText('Drafting');
  await expect(page.getByRole('heading', { name: 'Who takes part' })).toBeVisible();
  await expectAccessible(page);
  // The process's sittings and phase dates go into any calendar program.
  const feed = page.getByRole('link', { name: /Calendar of the sittings and phase dates/ });
  const calendar = await page.request.get((await feed.getAttribute('href'))!);
  expect(calendar.headers()['content-type']).toContain('text/calendar');
  expect(await calendar.text()).toContain('SUMMARY;LANGUAGE=en:Drafting: Kalden Charter');

  await page.getByRole('link', { name: /How this process works/ }).click();
  await expect(page.getByRole('table', { name: /What each role may do/ })).toBeVisible();
  await expectAccessible(page);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organisations' }).click();
  await expect(page.getByRole('heading', { name: 'Informal institutions' })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole('link', { name: /Council of Elders/ }).click();
  await expect(page.getByRole('heading', { name: 'Members' })).toBeVisible();
  await expectAccessible(page);

  // Decisions are one click from everywhere.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Decisions' }).click();
  await expect(page).toHaveURL(/\/decisions$/);
  expect(errors).toEqual([]);
});

test("the charter's English and Chinese drafts link to each other", async ({ page }) => {
  const id = await processIn(page, 'drafting');
  const detail = await (await page.request.get(`/api/v1/processes/${id}`)).json();
  const english = detail.drafts.find((d: { language: string }) => d.language === 'en');
  const chinese = detail.drafts.find((d: { language: string }) => d.language.startsWith('zh'));
  await page.goto(english.url);
  const others = page.locator('.other-drafts');
  await expect(others).toContainText('Also in this process:');
  await others.getByRole('link', { name: chinese.title }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(chinese.title);
  await expect(page.locator('.other-drafts').getByRole('link', { name: english.title })).toHaveAttribute('hreflang', 'en');
  await expectAccessible(page);
});

test('the sign-in and sign-up pages are accessible, and a missing page says so', async ({ page }) => {
  await page.goto('/auth/login');
  await expectAccessible(page);
  await page.goto('/auth/signup');
  await expectAccessible(page);
  const response = await page.goto('/processes/99999');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('We could not find that page.');
  await expectAccessible(page);
});

test('switches to Chinese and back', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Language').selectOption('zh-Hans');
  await page.getByRole('button', { name: 'Change' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-Hans');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('公众审议');
  await expectAccessible(page);
  const id = await processIn(page, 'public_comment');
  await page.goto(`/processes/${id}`);
  await expect(page.locator('h1')).toHaveAttribute('lang', 'zh-Hans');
  await expectAccessible(page);
  await page.getByLabel('语言').selectOption('en');
  await page.getByRole('button', { name: '切换' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
});

test.describe('with JavaScript disabled', () => {
  test.use({ javaScriptEnabled: false });

  test('reads a process and signs in', async ({ page }) => {
    const id = await processIn(page, 'drafting');
    await page.goto(`/processes/${id}`);
    await expect(page.getByRole('heading', { name: 'Rules of engagement' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Public activity log' })).toBeVisible();
    // Forms are plain HTML: signing in works without any script.
    await page.goto('/auth/login');
    await page.getByLabel('Email address').fill('citizen@demo.baraza');
    await page.getByLabel('Password', { exact: true }).fill('baraza-demo');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('status')).toHaveText('You are signed in.');
    // The show-password button needs a script, so without one it stays hidden.
    await page.goto('/account');
    await expect(page.getByRole('button', { name: 'Show' })).toHaveCount(0);
  });
});
