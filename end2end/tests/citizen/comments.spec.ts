// A citizen comments on an exact passage; others see it live; readers report it; a mediator hides
// it with a reason; the author appeals and a different moderator decides; the public log shows it all.
import { test, expect, type Browser } from '@playwright/test';
import { draftIn, expectAccessible, selectInText, signIn, watchErrors } from '../helpers';

const PASSAGE = 'reported to the Data Protection Authority within 72 hours';

async function open(browser: Browser, email: string | null, url: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);
  if (email) await signIn(page, email);
  await page.goto(url);
  return { page, errors };
}

test('a passage comment, live to others, reported, hidden with a reason, appealed, in the public log', async ({ browser }) => {
  // Seven people in seven browsers: longer than one person's story.
  test.setTimeout(90_000);
  const first = await (await browser.newContext()).newPage();
  const url = await draftIn(first, 'public_comment');
  const citizen = await open(browser, 'citizen@demo.baraza', url);
  const reader = await open(browser, 'lakeside.reader@demo.baraza', url);
  // The text does not change during public comment, and the page says so (not "as they type").
  await expect(citizen.page.getByText('The text does not change in this phase')).toBeVisible();
  await expect(reader.page.getByText('本阶段正文不再修改')).toBeVisible();

  // Selecting words fills the form with the quote; the comment lands on exactly that passage.
  await selectInText(citizen.page, PASSAGE);
  await expect(citizen.page.getByLabel('Passage (optional)')).toHaveValue(PASSAGE);
  await expect(citizen.page.getByText('Commenting on the selected passage.')).toBeVisible();
  const form = citizen.page.getByRole('region', { name: 'Add a comment' });
  await form.getByLabel('Your position').selectOption('suggests');
  const body = 'Seventy-two hours is *too long* for people whose records leaked. Ask for **24 hours**.';
  await form.getByLabel('Your comment').fill(body);
  await form.getByRole('button', { name: 'Post comment' }).click();
  await expect(citizen.page.locator('#notice')).toHaveText('Your comment is posted.');
  const thread = citizen.page.locator('#threads > li', { hasText: 'Ask for 24 hours' });
  await expect(thread.locator('blockquote')).toContainText(PASSAGE);
  await expect(thread.locator('em')).toHaveText('too long');
  await expectAccessible(citizen.page);

  // The other reader sees the thread arrive without reloading, and the passage highlighted.
  const arrived = reader.page.locator('#threads > li', { hasText: 'Ask for 24 hours' });
  await expect(arrived).toBeVisible();
  const threadId = await arrived.getAttribute('data-thread');
  await expect(reader.page.locator(`.live-text mark.passage[data-threads~="${threadId}"]`).first()).toContainText('72 hours');
  await expect(reader.page.locator(`.live-text a.thread-marker[href="#thread-${threadId}"]`)).toHaveCount(1);

  // Three different people report it; the third report holds it, live for the reader.
  const comment = (page: typeof reader.page) =>
    page.locator('#threads > li', { hasText: 'Seventy-two hours' }).locator('li.comment').first();
  const reporters = ['lakeside.reader@demo.baraza', 'li.mingyuan@demo.baraza', 'chen.jing@demo.baraza'];
  for (const [i, email] of reporters.entries()) {
    const who = email === 'lakeside.reader@demo.baraza' ? reader : await open(browser, email, url);
    // The draft page links each action to the form on the thread's own page.
    await comment(who.page).getByRole('link', { name: /^(Report|举报)$/ }).click();
    const own = comment(who.page);
    await expect(own.locator('details[open] summary', { hasText: /Report|举报/ })).toBeVisible();
    await own.locator('select[name=reason]').selectOption('off_topic');
    await own.getByRole('button', { name: /Send report|发送举报/ }).click();
    await expect(who.page.locator('#notice')).toHaveText(/Your report is recorded|您的举报已记录/);
    // The reporter sees that they reported it, and is offered no second report (the third
    // report holds the comment: its words give way to a placeholder).
    if (i < reporters.length - 1) {
      await expect(comment(who.page)).toContainText(/You reported this comment|您已举报此评论/);
      await expect(comment(who.page).getByRole('link', { name: /^(Report|举报)$/ })).toHaveCount(0);
    }
    expect(who.errors).toEqual([]);
  }
  await expect(reader.page.locator('#threads > li', { hasText: '因读者举报，正在等待审核' })).toBeVisible();

  // The mediator hides it with a reason and a note to the author.
  const mediator = await open(browser, 'mediator@demo.baraza', url.replace(/\/drafts\/.*/, '/moderation'));
  const queued = mediator.page.locator('.queue-item', { hasText: 'Seventy-two hours' });
  await expect(queued).toContainText('Reports: 3');
  // Each decision is its own form, with only the reasons that fit it and none chosen for them.
  const decision = queued.locator('form', { has: mediator.page.getByRole('button', { name: 'Hide the comment' }) });
  await expect(decision).toContainText('The public moderation log will read “Hidden” and the rule you choose');
  await expect(decision.getByRole('radio', { checked: true })).toHaveCount(0);
  await expect(decision.getByRole('radio', { name: 'Within the rules' })).toHaveCount(0);
  await expect(queued.locator('form', { hasText: 'Approve' })).toContainText('“Approved — Within the rules”');
  await mediator.page.screenshot({ path: 'test-results/moderation-decisions.png', fullPage: true });
  await decision.getByLabel('Off topic').check();
  await decision.getByLabel('Note to the author').fill('Please keep to what the strategy says.');
  await decision.getByRole('button', { name: 'Hide the comment' }).click();
  await expect(mediator.page.locator('#notice')).toContainText('The decision is recorded');
  await expectAccessible(mediator.page);

  // The author sees why, and appeals once.
  await citizen.page.reload();
  await expect(comment(citizen.page)).toContainText('Your comment is hidden. Reason: Off topic.');
  await expect(comment(citizen.page)).toContainText('Please keep to what the strategy says.');
  await comment(citizen.page).getByRole('link', { name: 'Appeal' }).click();
  const mine = comment(citizen.page);
  await mine.getByLabel('Why should it be shown?').fill('It is about 5.4 of the strategy: the time limit.');
  await mine.getByRole('button', { name: 'Send appeal' }).click();
  await expect(citizen.page.locator('#notice')).toContainText('A different moderator will decide it');
  await expect(comment(citizen.page)).toContainText('Your appeal waits for a decision.');

  // The mediator who hid it may not decide; the moderator upholds it, and it is shown again.
  await mediator.page.reload();
  await expect(mediator.page.locator('.queue-item', { hasText: 'Seventy-two hours' })).toContainText('a different moderator must decide');
  const moderator = await open(browser, 'moderator@demo.baraza', mediator.page.url());
  const appealed = moderator.page.locator('.queue-item', { hasText: 'Seventy-two hours' });
  await appealed.locator('form', { hasText: 'Decide the appeal' }).getByLabel('Decision').selectOption('upheld');
  await appealed.getByRole('button', { name: 'Decide the appeal' }).click();
  await expect(moderator.page.locator('#notice')).toContainText('The decision is recorded');
  await expect(reader.page.locator('#threads > li', { hasText: 'Ask for 24 hours' })).toBeVisible();

  // Anyone can read the log: what, by which role, why; never the content or the reporters.
  const anonymous = await open(browser, null, url.replace(/\/drafts\/.*/, '/moderation-log'));
  const log = anonymous.page.getByRole('table');
  for (const row of ['Held for review', 'Hidden', 'Appealed', 'Appeal upheld']) await expect(log).toContainText(row);
  await expect(log).toContainText('Automatic, after reports');
  await expect(log).toContainText('Moderator');
  await expect(log).not.toContainText('Seventy-two');
  await expect(log).not.toContainText('湖畔读书人');
  await expectAccessible(anonymous.page);

  for (const who of [citizen, reader, mediator, moderator, anonymous]) expect(who.errors).toEqual([]);
});

test.describe('with JavaScript disabled', () => {
  test.use({ javaScriptEnabled: false });

  test('comments on words copied into the form, replies on the thread page, and sees the highlight', async ({ page }) => {
    await signIn(page, 'academia@demo.baraza');
    await page.goto(await draftIn(page, 'public_comment'));
    const form = page.getByRole('region', { name: 'Add a comment' });
    const words = 'audited for bias and accuracy at least every two years';
    await form.getByLabel('Passage (optional)').fill(words);
    await form.getByLabel('Your position').selectOption('asks');
    await form.getByLabel('Your comment').fill('Who audits the auditors? Please name the body.');
    await form.getByRole('button', { name: 'Post comment' }).click();
    await expect(page.locator('#notice')).toHaveText('Your comment is posted.');
    const thread = page.locator('#threads > li', { hasText: 'Who audits the auditors?' });
    await expect(thread.locator('blockquote')).toContainText(words);
    const id = await thread.getAttribute('data-thread');
    // The server draws the highlight and its marker into the text it serves.
    await expect(page.locator(`.live-text mark.passage[data-threads~="${id}"]`)).toHaveText(words);
    await expect(page.locator(`.live-text a.thread-marker[href="#thread-${id}"]`)).toHaveCount(1);

    // Replying happens on the thread's page; a reply that is too long is explained there, in its
    // form, with what was typed kept.
    await thread.getByRole('link', { name: 'Reply' }).first().click();
    const replyForm = () =>
      page.locator('li.comment', { hasText: 'Who audits the auditors?' }).first().locator('form', { hasText: 'Post reply' });
    const reply = replyForm();
    await reply.getByLabel('Name to show (optional)').fill('Ingrid at the Institute');
    await reply.getByLabel('Your comment').fill('x'.repeat(5001));
    await reply.getByRole('button', { name: 'Post reply' }).click();
    const again = replyForm();
    await expect(page.locator('li.comment', { hasText: 'Who audits the auditors?' }).first().getByRole('alert')).toContainText(
      'This is too long: at most 5000 characters.',
    );
    await expect(again.getByLabel('Name to show (optional)')).toHaveValue('Ingrid at the Institute');
    await again.getByLabel('Your comment').fill('The Institute could publish its method first.');
    await again.getByRole('button', { name: 'Post reply' }).click();
    await expect(page.locator('#notice')).toHaveText('Your comment is posted.');
    await expect(page.locator('#threads > li', { hasText: 'Who audits the auditors?' })).toContainText('The Institute could publish its method first.');
    // (axe needs a script; the other stories check these pages with it.)
  });
});
