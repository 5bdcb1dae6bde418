// The council decides in the open: it freezes the text, answers every comment thread (two of one
// concern together), votes with two colleagues and publishes; a citizen then finds the answer to
// their comment, downloads the decision as JSON and follows the Atom feed.
import { test, expect, type Page } from '@playwright/test';
import { expectAccessible, processIn, signIn, watchErrors } from '../helpers';

/** The item of a thread on the decision page, found by words of its comment. */
function thread(page: Page, words: string) {
  return page.locator('li.thread-answer', { hasText: words });
}

async function answer(page: Page, threads: string[], disposition: string, reason: string, change = '') {
  for (const words of threads) await thread(page, words).getByRole('checkbox').check();
  await page.getByLabel('What became of it').selectOption({ label: disposition });
  await page.getByLabel('Reason', { exact: true }).fill(reason);
  if (change) await page.getByLabel(/Words of the text that show the change/).fill(change);
  await page.getByRole('button', { name: 'Record the answer' }).click();
  await expect(page.getByRole('status')).toContainText('The answer is recorded');
}

/** Votes through the form, whatever the voter's interface language. */
async function vote(page: Page, choice: 'for' | 'against' | 'abstain') {
  const form = page.locator('form:has(input[name=intent][value=vote])');
  await form.locator('select[name=choice]').selectOption(choice);
  await form.locator('button[type=submit]').click();
  await expect(page.getByRole('status')).toBeVisible();
}

test('a council answers every comment, votes, publishes; a citizen finds the answer', async ({ browser }) => {
  test.setTimeout(90_000);
  const councilContext = await browser.newContext();
  const council = await councilContext.newPage();
  const errors = watchErrors(council);
  await signIn(council, 'council@demo.baraza');
  const process = await processIn(council, 'decision');
  await council.goto(`/processes/${process}`);
  await council.getByRole('button', { name: /Freeze for the decision/ }).click();
  await expect(council.getByRole('status')).toContainText('The text is frozen');
  await expect(council.getByRole('heading', { level: 1 })).toContainText('Decision:');
  await expect(council.locator('.coverage')).toContainText('0 of 4 threads answered');
  const decisionUrl = new URL(council.url()).pathname;

  // Publishing too early says what is missing, and keeps what was typed.
  await council.getByLabel('Rationale', { exact: true }).fill('Too early.');
  await council.getByRole('button', { name: 'Publish', exact: true }).click();
  await expect(council.getByRole('alert').first()).toContainText('4 threads have no answer');
  await expect(council.getByRole('alert').first()).toContainText('Too few votes: 0 cast, 2 needed');
  await expect(council.getByLabel('Rationale', { exact: true })).toHaveValue('Too early.');

  // Two threads of one concern (evening paper voting) answered together, with the change.
  await answer(council, ['几点关门', '工人活动中心'], 'Accepted',
    "Paper ballots will be at the Workers' Centre, open until 8 p.m.", "markets and the Workers' Centre");
  await answer(council, ['young people'], 'Partly accepted', 'City Hall will offer a proposal workshop to any school that asks.');
  await answer(council, ['elders have chaired'], 'Not accepted',
    'Facilitators stay neutral; elders are invited to speak first at every ward assembly.');
  await expect(council.locator('.coverage')).toContainText('4 of 4 threads answered');
  await expect(thread(council, '几点关门')).toContainText('Answered together with');
  await vote(council, 'for');
  await expect(council.locator('.tally')).toContainText('1 for');

  // Two colleagues vote (one reads Chinese).
  for (const email of ['council2@demo.baraza', 'council3@demo.baraza']) {
    const context = await browser.newContext();
    const colleague = await context.newPage();
    await signIn(colleague, email);
    await colleague.goto(decisionUrl);
    await vote(colleague, email.startsWith('council2') ? 'for' : 'abstain');
    await context.close();
  }
  await council.reload();
  await expect(council.locator('.tally')).toContainText('2 for, 0 against, 1 abstaining');
  await expect(council.locator('.ready')).toBeVisible();
  await expectAccessible(council);
  await council.getByLabel('Rationale', { exact: true }).fill(
    'The rules give every ward a fair share and every resident a way to vote, online or on paper.');
  await council.getByLabel('Review date (optional)').fill('2027-11-30');
  await council.getByRole('button', { name: 'Publish', exact: true }).click();
  await expect(council.getByRole('status')).toContainText('The decision is published.');
  await expect(council.locator('.decision-status')).toContainText('Published');
  await expect(council.locator('form:has(input[name=intent][value=answer])')).toHaveCount(0);
  expect(errors).toEqual([]);
  await councilContext.close();

  // A citizen finds the answer to their comment, from the process page.
  const citizenContext = await browser.newContext({ acceptDownloads: true });
  const citizen = await citizenContext.newPage();
  await signIn(citizen, 'citizen@demo.baraza');
  await citizen.goto(`/processes/${process}`);
  await citizen.getByRole('region', { name: 'Decisions' }).getByRole('link', { name: /text for decision/ }).click();
  const mine = thread(citizen, 'young people');
  await expect(mine).toContainText('Partly accepted');
  await expect(mine).toContainText('City Hall will offer a proposal workshop');
  await expect(citizen.locator('.vote-outcome')).toContainText('Carried');
  await expect(citizen.getByRole('heading', { name: 'The adopted text' })).toBeVisible();
  await expectAccessible(citizen);
  await citizen.screenshot({ path: 'test-results/decision-published.png', fullPage: true });

  const [download] = await Promise.all([
    citizen.waitForEvent('download'),
    citizen.getByRole('link', { name: 'Download JSON' }).click(),
  ]);
  const json = JSON.parse(await (await import('node:fs/promises')).readFile(await download.path(), 'utf8'));
  expect(json.vote.passed).toBe(true);
  const answered = json.dispositions.find((d: { comment: string }) => d.comment.includes('young people'));
  expect(answered.disposition).toBe('partly_accepted');

  const feed = await citizen.getByRole('link', { name: 'Follow decisions (Atom feed)' }).getAttribute('href');
  const atom = await citizen.request.get(feed!);
  expect(atom.headers()['content-type']).toContain('application/atom+xml');
  const xml = await atom.text();
  expect(xml).toContain(`${decisionUrl}</id>`);
  expect(xml).toContain('every ward a fair share');
  await citizenContext.close();
});
