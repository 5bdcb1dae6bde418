// The citizen finds their answer: a citizen comments on a draft in public comment (the notice
// appears at their comment, not at the top of the page); the council decides and answers every
// thread; the citizen opens the process page, where the first thing offered is "See how your
// comments were answered", and reads the disposition, the reason and the change, there and from
// their account. The process is opened for the story by the administrator, so that no demo
// process other stories rely on changes phase.
import { test, expect, type Browser, type BrowserContext } from '@playwright/test';
import { Document, HeadingLevel, Packer, Paragraph } from 'docx';
import { expectAccessible, post, signIn, watchErrors } from '../helpers';

const DESKTOP = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };

/** The rules the mediator starts the draft from, as a Word document. */
async function rules(): Promise<Buffer> {
  const doc = new Document({
    sections: [
      {
        children: [
          new Paragraph({ text: 'Riverside footbridge rules', heading: HeadingLevel.TITLE }),
          new Paragraph({ text: 'Use of the bridge', heading: HeadingLevel.HEADING_1 }),
          new Paragraph('Article 1. The footbridge is open to walkers and cyclists from 6 a.m. to midnight.'),
          new Paragraph('Article 2. Cyclists give way to walkers and ride at walking pace.'),
          new Paragraph('Article 3. The city lights the bridge from dusk to dawn.'),
        ],
      },
    ],
  });
  return Packer.toBuffer(doc);
}

test('the citizen finds the answer to their comment, first on the process page and on their account', async ({ browser }) => {
  test.setTimeout(120_000);
  const contexts: BrowserContext[] = [];
  const person = async (who: Browser, email: string, viewport = DESKTOP) => {
    const context = await who.newContext({ viewport });
    contexts.push(context);
    const page = await context.newPage();
    await signIn(page, email);
    return page;
  };
  try {
    // The administrator opens a process, with a mediator and a council of one.
    const admin = await person(browser, 'admin@demo.baraza');
    const created = await post(admin, '/admin/processes/new', {
      languages: 'en',
      level: 'local',
      'title.en': 'Riverside footbridge rules',
      'summary.en': 'The rules for the new footbridge over the Kalden river: who may use it, and when.',
    });
    const process = Number(created.match(/\/processes\/(\d+)/)![1]);
    for (const [email, role] of [['mediator@demo.baraza', 'mediator'], ['council@demo.baraza', 'council_member']]) {
      await post(admin, `/admin/processes/${process}`, { intent: 'person_role', email, role, assigned: 'true' });
    }

    // The mediator starts the draft from a Word document and opens it for public comment.
    const mediator = await person(browser, 'mediator@demo.baraza');
    const started = await mediator.request.post(`/processes/${process}/manage`, {
      multipart: {
        intent: 'draft',
        title: '',
        language: 'en',
        summary: '',
        document: {
          name: 'footbridge.docx',
          mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
          buffer: await rules(),
        },
      },
      maxRedirects: 0,
      headers: { Origin: new URL(mediator.url()).origin },
    });
    expect(started.status()).toBe(303);
    const draft = Number(started.headers()['location'].match(/drafts\/(\d+)/)![1]);
    await post(mediator, `/processes/${process}/manage`, { intent: 'phase', phase: 'public_comment' });

    // The citizen: the process page offers reading and commenting first, before the summary.
    const citizen = await person(browser, 'citizen@demo.baraza');
    const errors = watchErrors(citizen);
    await citizen.goto(`/processes/${process}`);
    const part = citizen.getByRole('complementary', { name: 'Your part' });
    const first = part.locator('.next-steps a').first();
    await expect(first).toHaveText('Read the draft and comment');
    const summary = citizen.getByText('The rules for the new footbridge');
    expect((await first.boundingBox())!.y).toBeLessThan((await summary.boundingBox())!.y);
    await first.click();
    await expect(citizen).toHaveURL(new RegExp(`/processes/${process}/drafts/${draft}$`));

    // Their comment is posted; the notice is at the comment, in view, not at the top of the page.
    const form = citizen.getByRole('region', { name: 'Add a comment' });
    await form.getByLabel('Your position').selectOption('suggests');
    await form.getByLabel('Your comment').fill('Please keep the bridge lit all night: shift workers cross it at 5 a.m.');
    await form.getByRole('button', { name: 'Post comment' }).click();
    const notice = citizen.locator('#notice');
    await expect(notice).toHaveText('Your comment is posted.');
    await expect(notice).toHaveAttribute('role', 'status');
    const thread = Number(new URL(citizen.url()).hash.replace('#comment-', ''));
    expect(thread).toBeGreaterThan(0);
    const comment = citizen.locator(`#comment-${thread}`);
    await expect(notice).toBeInViewport();
    const [n, c] = [(await notice.boundingBox())!, (await comment.boundingBox())!];
    expect(n.y).toBeGreaterThanOrEqual(c.y - 1);
    expect(n.y + n.height).toBeLessThanOrEqual(c.y + c.height + 1);
    await expectAccessible(citizen);
    await citizen.screenshot({ path: 'test-results/answers-notice-at-comment.png' });

    // Before a decision, their comment waits for its answer.
    await citizen.goto('/account/comments');
    await expect(citizen.locator('.own-comment', { hasText: 'shift workers' })).toContainText('Not answered yet');

    // The council decides: freezes the text, answers the thread with the change, votes, publishes.
    await post(mediator, `/processes/${process}/manage`, { intent: 'phase', phase: 'decision' });
    const council = await person(browser, 'council@demo.baraza');
    await council.goto(`/processes/${process}`);
    await expect(council.locator('.next-steps a').first()).toHaveText('Choose the text for the decision');
    const decision = (await post(council, `/processes/${process}/manage`, {
      intent: 'freeze',
      draft: String(draft),
      confirmed: 'yes',
    })).split('#')[0];
    await council.goto(`/processes/${process}`);
    await expect(council.locator('.next-steps a').first()).toHaveText('Answer the comments and vote');
    await post(council, decision, {
      intent: 'answer',
      [`thread.${thread}`]: 'on',
      disposition: 'partly_accepted',
      reason: 'The bridge will be lit from dusk to dawn, which covers the early shifts in winter.',
      change: 'lights the bridge from dusk to dawn',
    });
    await post(council, decision, { intent: 'vote', choice: 'for' });
    await post(council, decision, {
      intent: 'publish',
      rationale: 'Safe crossing at every hour people use the bridge.',
      confirmed: 'yes',
    });

    // The citizen comes back: the first thing offered is the answer to their comment.
    await citizen.goto(`/processes/${process}`);
    const see = part.locator('.next-steps a').first();
    await expect(see).toHaveText('See how your comments were answered');
    await see.click();
    const answers = citizen.getByRole('region', { name: 'How your comments were answered' });
    await expect(answers).toBeInViewport();
    const mine = answers.locator('.own-comment', { hasText: 'shift workers' });
    await expect(mine.locator('.answer')).toContainText('Partly accepted');
    await expect(mine.locator('.answer')).toContainText('covers the early shifts in winter');
    await expect(mine.locator('.answer .change')).toContainText('lights the bridge from dusk to dawn');
    await expectAccessible(citizen);
    await citizen.screenshot({ path: 'test-results/answers-process-desktop.png' });

    // The link to the decision leads to their thread's answer there.
    await mine.getByRole('link', { name: 'Read the decision' }).click();
    await expect(citizen.locator(`#thread-${thread}`)).toContainText('covers the early shifts in winter');

    // From their account: "My comments and their answers".
    await citizen.goto('/account');
    await citizen.getByRole('link', { name: 'See all your comments and what became of them' }).click();
    await expect(citizen.getByRole('heading', { level: 1 })).toHaveText('My comments and their answers');
    const listed = citizen.locator('.own-comment', { hasText: 'shift workers' });
    await expect(listed).toContainText('Riverside footbridge rules');
    await expect(listed.locator('.answer')).toContainText('Partly accepted');
    // Their comments elsewhere still wait; nobody else's are listed.
    await expect(citizen.locator('.own-comment', { hasText: '0.5 per cent' })).toContainText('Not answered yet');
    await expect(citizen.locator('.own-comment', { hasText: '纸质投票点' })).toHaveCount(0);
    await expectAccessible(citizen);
    await citizen.screenshot({ path: 'test-results/answers-account-desktop.png' });
    expect(errors).toEqual([]);

    // On a phone, the same: the button first, the answer one tap away.
    const phone = await person(browser, 'citizen@demo.baraza', PHONE);
    await phone.goto(`/processes/${process}`);
    await expect(phone.locator('.next-steps a').first()).toBeInViewport();
    await phone.screenshot({ path: 'test-results/answers-process-phone.png' });
    await phone.locator('.next-steps a').first().click();
    await expect(phone.locator('.own-comment .answer').first()).toBeVisible();
    await expectAccessible(phone);
    await phone.screenshot({ path: 'test-results/answers-section-phone.png' });
    await phone.goto('/account/comments');
    await expectAccessible(phone);
    await phone.screenshot({ path: 'test-results/answers-account-phone.png', fullPage: true });
  } finally {
    for (const context of contexts) await context.close();
  }
});
