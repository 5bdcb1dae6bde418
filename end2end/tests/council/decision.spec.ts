// The council decides in the open: it freezes the text, answers every comment thread (two of one
// concern together), votes with two colleagues and publishes; a citizen then finds the answer to
// their comment, downloads the decision as JSON and follows the Atom feed. Freezing and publishing
// cannot be undone: each asks for confirmation first, also without JavaScript. Ticking an answered
// thread says whose answer would be replaced before anything is. The answer form is a slim bar.
import { test, expect, type Browser, type Page } from '@playwright/test';
import { expectAccessible, processIn, signIn, watchErrors } from '../helpers';

/** The item of a thread on the decision page, found by words of its comment. */
function thread(page: Page, words: string) {
  return page.locator('li.thread-answer', { hasText: words });
}

/** The council's answer bar: a single line until opened. */
function answerBar(page: Page) {
  return page.locator('details.answer-bar');
}

async function openAnswerBar(page: Page) {
  const bar = answerBar(page);
  if (!(await bar.evaluate((d) => (d as HTMLDetailsElement).open))) {
    await bar.locator('summary').click();
  }
}

/** Ticks the threads and fills in the answer; `press` says which button records it. */
async function fillAnswer(page: Page, threads: string[], disposition: string, reason: string, change = '') {
  for (const words of threads) await thread(page, words).getByRole('checkbox').check();
  await openAnswerBar(page);
  await page.getByLabel('What became of it').selectOption({ label: disposition });
  await page.getByLabel('Reason', { exact: true }).fill(reason);
  await page.getByLabel(/Words of the text that show the change/).fill(change);
}

async function answer(page: Page, threads: string[], disposition: string, reason: string, change = '') {
  await fillAnswer(page, threads, disposition, reason, change);
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

/** A council member's page in a context of its own (closed by the caller). */
async function councilIn(browser: Browser, options: Parameters<Browser['newContext']>[0] = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await signIn(page, 'council@demo.baraza');
  return { context, page };
}

test('a council answers every comment, votes, publishes; a citizen finds the answer', async ({ browser }) => {
  test.setTimeout(150_000);
  const councilContext = await browser.newContext();
  const council = await councilContext.newPage();
  const errors = watchErrors(council);
  await signIn(council, 'council@demo.baraza');
  const process = await processIn(council, 'decision');

  // Freezing: the first press only says what freezing does (axe runs only with JavaScript).
  await council.goto(`/processes/${process}`);
  await council.getByRole('button', { name: /Freeze for the decision/ }).click();
  await expect(council.getByRole('group', { name: 'Freeze this text for good?' })).toBeInViewport();
  await expectAccessible(council);

  // Without JavaScript, the same: cancelling leaves the text as it was; confirming freezes it.
  const noScript = await councilIn(browser, { javaScriptEnabled: false });
  const page = noScript.page;
  await page.goto(`/processes/${process}`);
  await page.getByRole('button', { name: /Freeze for the decision/ }).click();
  const freezeStep = page.getByRole('group', { name: 'Freeze this text for good?' });
  await expect(freezeStep.getByRole('button', { name: 'Yes, freeze it' })).toBeInViewport();
  await expect(freezeStep).toContainText('cannot be undone');
  await expect(freezeStep).toContainText('it becomes version 1');
  await expect(freezeStep).toContainText('can no longer open new threads');
  await page.screenshot({ path: 'test-results/decision-freeze-confirm.png' });
  await freezeStep.getByRole('link', { name: 'Cancel' }).click();
  await expect(page.getByRole('button', { name: /Freeze for the decision/ })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Decisions' })).toContainText('No decision yet.');
  await page.getByRole('button', { name: /Freeze for the decision/ }).click();
  await page.getByRole('button', { name: 'Yes, freeze it' }).click();
  await expect(page.getByRole('status')).toContainText('The text is frozen');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Decision:');
  const decisionUrl = new URL(page.url()).pathname;

  await council.goto(decisionUrl);
  await expect(council.locator('.coverage')).toContainText('0 of 4 threads answered');

  // Publishing too early says what is missing, and keeps what was typed; nothing to confirm yet.
  await council.getByLabel('Rationale', { exact: true }).fill('Too early.');
  await council.getByRole('button', { name: 'Review before publishing' }).click();
  await expect(council.getByRole('alert').first()).toContainText('4 threads have no answer');
  await expect(council.getByRole('alert').first()).toContainText('Too few votes: 0 cast, 2 needed');
  await expect(council.getByLabel('Rationale', { exact: true })).toHaveValue('Too early.');
  await expect(council.getByRole('button', { name: 'Yes, publish it for good' })).toHaveCount(0);

  // The answer form is a slim bar while closed, on a phone and on a laptop.
  for (const viewport of [{ width: 390, height: 844 }, { width: 1366, height: 768 }]) {
    const sized = await councilIn(browser, { viewport });
    await sized.page.goto(decisionUrl);
    await thread(sized.page, 'young people').scrollIntoViewIfNeeded();
    const box = await answerBar(sized.page).boundingBox();
    expect(box, 'the answer bar').not.toBeNull();
    expect(box!.height, `answer bar at ${viewport.width}px`).toBeLessThanOrEqual(viewport.height / 5);
    // Sticky at the bottom of the window while the threads scroll under it.
    expect(box!.y + box!.height).toBeLessThanOrEqual(viewport.height + 1);
    expect(box!.y + box!.height).toBeGreaterThan(viewport.height - 4);
    await sized.page.screenshot({ path: `test-results/decision-council-${viewport.width}.png` });
    // Opened, it still covers at most a fifth of the window, and the page still scrolls past it.
    await openAnswerBar(sized.page);
    const open = await answerBar(sized.page).boundingBox();
    expect(open!.height).toBeLessThanOrEqual(viewport.height / 5 + 1);
    const before = await sized.page.evaluate(() => window.scrollY);
    await sized.page.mouse.move(viewport.width / 2, 50);
    await sized.page.mouse.wheel(0, 600);
    await expect.poll(() => sized.page.evaluate(() => window.scrollY)).toBeGreaterThan(before);
    await sized.page.screenshot({ path: `test-results/decision-council-${viewport.width}-open.png` });
    await sized.context.close();
  }

  // Answered and open threads read differently; the first answer covers two threads of one
  // concern (evening paper voting).
  await expect(thread(council, 'young people')).toContainText('Not answered yet');
  await answer(council, ['几点关门', '工人活动中心'], 'Accepted', 'Paper ballots at the Workers\' Centre.');
  await expect(thread(council, '几点关门')).toContainText('Answered: Accepted');
  await expect(thread(council, '几点关门').getByRole('checkbox')).toHaveAccessibleName(/again \(replaces its answer\)/);
  await expect(thread(council, 'young people')).toContainText('Not answered yet');

  // Ticking an answered thread with an open one replaces nothing yet: the warning says whose
  // answer would go and which thread keeps it.
  await fillAnswer(council, ['几点关门', 'young people'], 'Partly accepted', 'City Hall will offer a proposal workshop to any school that asks.');
  await council.getByRole('button', { name: 'Record the answer' }).click();
  const warning = council.locator('.replace-warning');
  await expect(warning).toContainText('These answers would be replaced');
  await expect(warning).toContainText('Already answered among the threads you ticked');
  await expect(warning).toContainText('That answer also covers');
  await expect(council.getByRole('button', { name: 'Replace their answers' })).toBeVisible();
  await expect(thread(council, 'young people')).toContainText('Not answered yet');
  await expectAccessible(council);
  await council.screenshot({ path: 'test-results/decision-replace-warning.png' });
  // Untick the answered one and record for the other only.
  await thread(council, '几点关门').getByRole('checkbox').uncheck();
  await council.getByRole('button', { name: 'Record the answer' }).click();
  await expect(council.getByRole('status')).toContainText('The answer is recorded');
  await expect(thread(council, 'young people')).toContainText('Answered: Partly accepted');

  // The joint answer rewritten on purpose, with the change in the text.
  await fillAnswer(council, ['几点关门', '工人活动中心'], 'Accepted',
    "Paper ballots will be at the Workers' Centre, open until 8 p.m.", "markets and the Workers' Centre");
  await council.getByRole('button', { name: 'Record the answer' }).click();
  await council.getByRole('button', { name: 'Replace their answers' }).click();
  await expect(council.getByRole('status')).toContainText('The answer is recorded');
  await expect(thread(council, '工人活动中心')).toContainText('open until 8 p.m.');
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

  // Publishing: the first press says what becomes permanent and keeps what was typed.
  await council.getByLabel('Rationale', { exact: true }).fill('Draft rationale.');
  await council.getByRole('button', { name: 'Review before publishing' }).click();
  await expect(council.getByRole('group', { name: 'Publish this decision for good?' })).toBeInViewport();
  await expectAccessible(council);
  await council.screenshot({ path: 'test-results/decision-publish-confirm-js.png' });

  // Without JavaScript, the same; only the confirmation publishes.
  await page.goto(decisionUrl);
  await page.getByLabel('Rationale', { exact: true }).fill(
    'The rules give every ward a fair share and every resident a way to vote, online or on paper.');
  await page.getByLabel('Review date (optional)').fill('2027-11-30');
  await page.getByRole('button', { name: 'Review before publishing' }).click();
  const publishStep = page.getByRole('group', { name: 'Publish this decision for good?' });
  await expect(publishStep.getByRole('button', { name: 'Yes, publish it for good' })).toBeInViewport();
  await expect(publishStep).toContainText('Publishing cannot be undone');
  await expect(publishStep).toContainText('Comment threads answered: 4. Votes cast: 3.');
  await expect(page.getByLabel('Rationale', { exact: true })).toHaveValue(/every ward a fair share/);
  await expect(page.locator('.decision-status')).toContainText('In preparation');
  await page.screenshot({ path: 'test-results/decision-publish-confirm.png' });
  await publishStep.getByRole('button', { name: 'Yes, publish it for good' }).click();
  await expect(page.getByRole('status')).toContainText('The decision is published.');
  await expect(page.locator('.decision-status')).toContainText('Published');
  await noScript.context.close();

  await council.reload();
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
  await citizen.setViewportSize({ width: 390, height: 844 });
  await mine.scrollIntoViewIfNeeded();
  await citizen.screenshot({ path: 'test-results/decision-published-390.png' });
  await citizen.setViewportSize({ width: 1280, height: 720 });

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
