// The site administrator opens processes, assigns roles, verifies organisations.
import { test, expect } from '@playwright/test';
import { draftIn, expectAccessible, signIn, watchErrors } from '../helpers';

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

test('an organisation speaks only once verified, and readers see when it no longer is', async ({ browser }) => {
  test.setTimeout(90_000);
  const citizen = await (await browser.newContext()).newPage();
  const admin = await (await browser.newContext()).newPage();
  const reader = await (await browser.newContext()).newPage();
  const errors = [citizen, admin, reader].map(watchErrors);
  await signIn(citizen, 'citizen@demo.baraza');
  await signIn(admin, 'admin@demo.baraza');

  // A copy of the real ministry's name is refused, however it is written.
  await citizen.goto('/organisations/new');
  await citizen.getByLabel('Name').fill('MINISTRY OF PUBLIC SERVICE  AND DIGITAL GOVERNMENT');
  await citizen.getByRole('button', { name: 'Register' }).click();
  await expect(citizen.getByRole('alert')).toContainText('a name that reads the same is already registered');
  await expectAccessible(citizen);

  // A body of its own registers; nobody speaks for it yet, its founder included.
  await citizen.getByLabel('Name').fill("Westbank Fishers' Cooperative");
  await citizen.getByLabel('Kind').selectOption('community_group');
  await citizen.getByRole('button', { name: 'Register' }).click();
  await expect(citizen.getByRole('status')).toContainText('a site administrator verifies it and confirms that you belong to it');
  const orgUrl = citizen.url();
  await citizen.goto('/account');
  await expect(citizen.getByRole('listitem').filter({ hasText: 'Westbank Fishers' })).toContainText('Awaiting verification');

  // The administrator verifies it, then confirms that the citizen belongs to it.
  await admin.goto(orgUrl);
  await expect(admin.getByRole('listitem').filter({ hasText: 'Tomás Rivera' })).toContainText('awaiting confirmation');
  await admin.getByRole('button', { name: 'Verify this organisation' }).click();
  await expect(admin.locator('.meta')).toContainText('Verified');
  await admin.getByRole('button', { name: 'Confirm that Tomás Rivera belongs to it' }).click();
  await expect(admin.getByRole('listitem').filter({ hasText: 'Tomás Rivera' })).toContainText('confirmed');
  await expectAccessible(admin);

  // Now the citizen speaks for it on the national strategy.
  const url = await draftIn(citizen, 'public_comment');
  await citizen.goto(url);
  const form = citizen.getByRole('region', { name: 'Add a comment' });
  await form.getByLabel('Speaking as').selectOption({ label: "Westbank Fishers' Cooperative" });
  await form.getByLabel('Your comment').fill('The fishers ask for a training centre on the west bank.');
  await form.getByRole('button', { name: 'Post comment' }).click();
  await expect(citizen.locator('#notice')).toHaveText('Your comment is posted.');

  // It turns out not to be what it said: the administrator withdraws the verification, in public.
  await admin.goto(orgUrl);
  await admin.locator('summary', { hasText: 'Withdraw the verification' }).click();
  await admin.getByLabel('Why (shown on this page and in the public record)').fill('Not registered as a cooperative with the district.');
  await admin.getByRole('button', { name: 'Withdraw the verification' }).click();
  await expect(admin.locator('.meta')).toContainText('Awaiting verification');
  await expect(admin.getByText('Not registered as a cooperative with the district.')).toBeVisible();

  // A reader sees the difference: the ministry's reply is verified and official; the cooperative's
  // comment stays, marked as not verified.
  await reader.goto(url);
  const ministry = reader.locator('li.comment', { hasText: 'The figure follows the pilot' });
  await expect(ministry.locator('.byline')).toContainText('Ministry of Public Service and Digital Government');
  await expect(ministry.locator('.byline .badge.verified')).toHaveText('Verified organisation');
  await expect(ministry.locator('.byline .badge.official')).toHaveText('Official answer');
  const fishers = reader.locator('li.comment', { hasText: 'a training centre on the west bank' });
  await expect(fishers.locator('.byline')).toContainText("Westbank Fishers' Cooperative");
  await expect(fishers.locator('.byline .badge.unverified')).toHaveText('Organisation not verified');
  await expect(fishers.locator('.byline .badge.official')).toHaveCount(0);
  await expectAccessible(reader);
  await ministry.scrollIntoViewIfNeeded();
  await reader.screenshot({ path: test.info().outputPath('ministry.png'), fullPage: false });
  await fishers.scrollIntoViewIfNeeded();
  await reader.screenshot({ path: test.info().outputPath('bylines.png'), fullPage: false });

  // And the citizen can no longer speak for it.
  await citizen.goto(url);
  await expect(citizen.getByRole('region', { name: 'Add a comment' }).getByLabel('Speaking as')).toHaveCount(0);
  for (const e of errors) expect(e).toEqual([]);
});
