// The citizen is told: a citizen who reads Chinese follows a national strategy and comments on
// its draft; the council publishes a decision that answers the thread; her notification centre
// (the header counts it) and her mailbox (the outbox, with no SMTP server in the tests) both give
// the answer, in Chinese. Her preferences form works without JavaScript. The process is opened
// for the story by the administrator, so that no demo process other stories rely on changes.
import { test, expect, type BrowserContext } from '@playwright/test';
import { expectAccessible, post, mailFromOutbox, signIn, watchErrors } from '../helpers';

const CHEN = 'chen.jing@demo.baraza';

test('a follower hears of the council’s answer in her notification centre and her mailbox, in Chinese', async ({ browser }) => {
  test.setTimeout(120_000);
  const contexts: BrowserContext[] = [];
  const person = async (email: string, javaScriptEnabled = true) => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, javaScriptEnabled });
    contexts.push(context);
    const page = await context.newPage();
    await signIn(page, email);
    return page;
  };
  try {
    const admin = await person('admin@demo.baraza');
    const created = await post(admin, '/admin/processes/new', {
      languages: 'en,zh-Hans',
      level: 'national',
      'title.en': 'National strategy for community health workers',
      'title.zh-Hans': '社区卫生工作者国家战略',
      'summary.en': 'How the country trains, pays and supports its community health workers.',
      'summary.zh-Hans': '国家如何培训、支付和支持社区卫生工作者。',
    });
    const process = Number(created.match(/\/processes\/(\d+)/)![1]);
    for (const [email, role] of [['mediator@demo.baraza', 'mediator'], ['council@demo.baraza', 'council_member']]) {
      await post(admin, `/admin/processes/${process}`, { intent: 'person_role', email, role, assigned: 'true' });
    }
    const mediator = await person('mediator@demo.baraza');
    const draftAt = await post(mediator, `/processes/${process}/manage`, {
      intent: 'draft',
      title: 'Community health workers: pay and training',
      language: 'en',
      summary: 'Every village has a trained, paid health worker by 2030.',
    });
    const draft = Number(draftAt.match(/drafts\/(\d+)/)![1]);
    await post(mediator, `/processes/${process}/manage`, { intent: 'phase', phase: 'public_comment' });

    // Chen follows the strategy from its page, in her language.
    const chen = await person(CHEN);
    const errors = watchErrors(chen);
    await chen.goto(`/processes/${process}`);
    await chen.locator('.follow').getByRole('button', { name: '关注', exact: true }).click();
    await expect(chen.locator('#notice')).toHaveText('您已开始关注。那里的动态会显示在您的通知页面上。');
    await expect(chen.locator('.follow-state')).toHaveText('您已关注。');
    await expect(chen.locator('.follow').getByRole('button', { name: '取消关注' })).toBeVisible();
    await expectAccessible(chen);
    await chen.screenshot({ path: 'test-results/notifications-following.png' });

    // She comments on the draft.
    await chen.goto(`/processes/${process}/drafts/${draft}`);
    const form = chen.locator('form:has(textarea[name="body"])').first();
    await form.locator('textarea[name="body"]').fill('村里的卫生员应该有固定工资，而不是按次付费。');
    await form.locator('button[type="submit"]').click();
    await expect(chen.locator('#notice')).toBeVisible();
    const thread = Number(new URL(chen.url()).hash.replace('#comment-', ''));
    expect(thread).toBeGreaterThan(0);

    // The council decides: freezes the text, answers her thread, votes, publishes.
    await post(mediator, `/processes/${process}/manage`, { intent: 'phase', phase: 'decision' });
    const council = await person('council@demo.baraza');
    await council.goto(`/processes/${process}`);
    const decision = (await post(council, `/processes/${process}/manage`, {
      intent: 'freeze',
      draft: String(draft),
      confirmed: 'yes',
    })).split('#')[0];
    await post(council, decision, {
      intent: 'answer',
      [`thread.${thread}`]: 'on',
      disposition: 'accepted',
      reason: 'Community health workers will receive a fixed monthly salary from 2027.',
    });
    await post(council, decision, { intent: 'vote', choice: 'for' });
    await post(council, decision, {
      intent: 'publish',
      rationale: 'A paid, trained health worker in every village.',
      confirmed: 'yes',
    });

    // Her header counts what is new; the centre gives the answer, in Chinese.
    await chen.goto('/');
    // The count is part of the link's name, so a screen reader says it too.
    const link = chen.getByRole('link', { name: /^通知 \d+ 条未读$/ });
    await expect(link).toBeVisible();
    await link.click();
    await expect(chen.getByRole('heading', { level: 1 })).toHaveText('通知');
    const answer = chen.locator('.notification', { hasText: '理事会答复了' });
    await expect(answer).toHaveClass(/unread/);
    await expect(answer).toContainText('：采纳');
    await expect(answer).toContainText('Community health workers will receive a fixed monthly salary from 2027.');
    await expect(chen.locator('.notification', { hasText: '理事会公布了关于' })).toBeVisible();
    await expect(chen.locator('.notification', { hasText: '社区卫生工作者国家战略' }).first()).toBeVisible();
    await expectAccessible(chen);
    await chen.screenshot({ path: 'test-results/notifications-centre.png', fullPage: true });
    // Seen, so read: the header no longer counts them.
    await expect(chen.getByRole('link', { name: '通知', exact: true })).toBeVisible();
    await answer.getByRole('link').click();
    await expect(chen).toHaveURL(new RegExp(`/threads/${thread}$`));
    expect(errors).toEqual([]);

    // Her mailbox: the same answer, in Chinese, with the way to stop such mail.
    const mail = await mailFromOutbox(browser, CHEN, '理事会答复了');
    expect(mail).toContain('Community health workers will receive a fixed monthly salary from 2027.');
    expect(mail).toContain('社区卫生工作者国家战略');
    expect(mail).toMatch(/\/unsubscribe\/[0-9a-f]{48}/);

    // The preferences form works without JavaScript.
    const plain = await person(CHEN, false);
    await plain.goto('/notifications/preferences');
    await expect(plain.getByRole('heading', { level: 1 })).toHaveText('接收通知的方式');
    await plain.locator('select[name="reply"]').selectOption('daily');
    await plain.locator('select[name="time_zone"]').selectOption('Asia/Shanghai');
    await plain.getByRole('button', { name: '保存设置' }).click();
    await expect(plain.locator('#notice')).toHaveText('您的设置已保存。');
    await expect(plain.locator('select[name="reply"]')).toHaveValue('daily');
    await expect(plain.locator('select[name="time_zone"]')).toHaveValue('Asia/Shanghai');
    await plain.screenshot({ path: 'test-results/notifications-preferences.png', fullPage: true });
    // axe runs in the page, so it looks at the same page with JavaScript on.
    await chen.goto('/notifications/preferences');
    await expect(chen.locator('select[name="reply"]')).toHaveValue('daily');
    await expectAccessible(chen);
  } finally {
    for (const context of contexts) await context.close();
  }
});
