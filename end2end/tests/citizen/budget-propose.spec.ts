// Proposing in a participatory budget: a citizen finds the demo's budget open for proposals and
// proposes a project. Then the whole review, as a city would run it: a mediator opens a budget of
// their own and names Daniel Mensah (gov@) its reviewer, the citizen proposes there, the mediator
// closes the proposals (asked first), the reviewer finds the proposal not feasible with a reason,
// and the citizen reads why it is not on the ballot. Every page is checked with axe and
// photographed on a laptop and a phone.
//
// The demo's proposals-phase budget keeps its phase (other stories rely on it); the review runs on
// the budget this story opens.
import { test, expect, type Page, type Browser } from '@playwright/test';
import { expectAccessible, signIn, watchErrors } from '../helpers';

const VIEWPORTS = [
  { name: 'laptop', width: 1366, height: 900 },
  { name: 'phone', width: 390, height: 844 },
];

/** Photographs the page at both sizes, then checks it with axe. */
async function look(page: Page, name: string) {
  for (const v of VIEWPORTS) {
    await page.setViewportSize({ width: v.width, height: v.height });
    await page.screenshot({ path: test.info().outputPath(`${name}-${v.name}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: VIEWPORTS[0].width, height: VIEWPORTS[0].height });
  await expectAccessible(page);
}

async function as(browser: Browser, email: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  await signIn(page, email);
  return page;
}

/** Fills the proposal form and sends it; lands on the new project's page. */
async function propose(page: Page, title: string, cost: string) {
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('What should be done, and why?').fill(
    'Children cross Mill Lane on their way to school, where cars come fast around the bend.',
  );
  await page.getByLabel('Place').fill('Mill Lane, by the primary school');
  await page.getByLabel('Category').selectOption({ label: 'Streets and transport' });
  await page.getByLabel(/Estimated cost/).fill(cost);
  await page.getByRole('button', { name: 'Send the proposal' }).click();
}

test('a citizen proposes a project in the budget open for proposals', async ({ browser }) => {
  test.setTimeout(90_000);
  const citizen = await as(browser, 'citizen@demo.baraza');
  const errors = watchErrors(citizen);
  await citizen.getByRole('link', { name: 'Budgets' }).first().click();
  await expect(citizen.getByRole('heading', { level: 1, name: 'Participatory budgets' })).toBeVisible();
  await look(citizen, 'budgets');
  const { budgets } = await (await citizen.request.get('/api/v1/budgets')).json();
  const open = budgets.find((b: { phase: string }) => b.phase === 'proposals');
  expect(open, 'a demo budget open for proposals').toBeTruthy();
  await citizen.getByRole('link', { name: open.title.en }).click();
  // The overview says what the phase means and offers one next step.
  await expect(citizen.getByText('Proposals are open.', { exact: false })).toBeVisible();
  await expect(citizen.locator('.your-part .button')).toHaveText('Propose a project');
  await look(citizen, 'overview-proposals');
  // The filters are a plain form: the address says what is shown.
  await citizen.getByLabel('Category').selectOption({ label: 'Sport' });
  await citizen.getByRole('button', { name: 'Show projects' }).click();
  await expect(citizen).toHaveURL(/category=sport/);
  await expect(citizen.getByText(/^Showing \d+ of \d+ projects\.$/)).toBeVisible();

  await citizen.locator('.your-part').getByRole('link', { name: 'Propose a project' }).click();
  await look(citizen, 'propose');
  // Too costly: refused beside the field, nothing typed is lost.
  await propose(citizen, 'A covered skate park by the river', '900,000');
  await expect(citizen.locator('.error-summary')).toBeVisible();
  await expect(citizen.locator('.field-error')).toContainText('at most');
  await expect(citizen.getByLabel('Title')).toHaveValue('A covered skate park by the river');
  await look(citizen, 'propose-error');
  await citizen.getByLabel(/Estimated cost/).fill('12,000');
  await citizen.getByRole('button', { name: 'Send the proposal' }).click();
  await expect(citizen.getByRole('status')).toHaveText('Your proposal is published.');
  await expect(citizen.getByRole('heading', { level: 1 })).toHaveText('A covered skate park by the river');
  await expect(citizen.locator('.project-facts')).toContainText('Tomás Rivera');
  await look(citizen, 'project-proposed');

  // The project's page is also where people discuss it, as they discuss a draft.
  await citizen.getByLabel('Your comment').fill('Cars come fastest at the bend by the school gate.');
  await citizen.getByRole('button', { name: 'Post comment' }).click();
  await expect(citizen.getByRole('status')).toHaveText('Your comment is posted.');
  await expect(citizen.locator('.comment-body').filter({ hasText: 'bend by the school gate' })).toBeVisible();
  await look(citizen, 'project-discussed');
  // A demo proposal others have discussed: the threads read in their authors' languages.
  await citizen.goto(`/budgets/${open.id}`);
  await citizen.getByRole('link', { name: 'A study room open late in exam weeks' }).click();
  await expect(citizen.locator('.comment-body').filter({ hasText: 'hold the keys' })).toBeVisible();
  await look(citizen, 'project-threads');
  expect(errors).toEqual([]);
});

test('a reviewer finds a proposal not feasible, and the citizen reads why', async ({ browser }) => {
  // Three people, a dozen pages, each photographed twice and checked with axe.
  test.setTimeout(120_000);
  const mediator = await as(browser, 'mediator@demo.baraza');
  // The mediator opens a budget in a process of theirs.
  await mediator.goto('/budgets');
  await mediator.getByRole('link', { name: 'Open a budget' }).click();
  await look(mediator, 'new-budget');
  await mediator.getByLabel('Title of the budget').fill('Mill Lane Neighbourhood Budget');
  await mediator.getByLabel('Name of the area').fill('Mill Lane');
  await mediator.getByLabel('Amount', { exact: true }).fill('50,000');
  await mediator.getByLabel('Most a project may cost').fill('20,000');
  await mediator.getByLabel('Ballot', { exact: true }).selectOption('approval');
  await mediator.getByLabel('How winners are found').selectOption('equal_shares');
  await mediator.getByRole('button', { name: 'Open the budget' }).click();
  await expect(mediator.getByRole('status')).toHaveText('The budget is open for proposals.');
  const budgetUrl = mediator.url().replace(/[#?].*$/, '');
  await expect(mediator.locator('.area-card')).toContainText('€50,000');
  await expect(mediator.locator('.area-card')).toContainText('Winners by the Method of Equal Shares');

  // Names Daniel Mensah reviewer.
  await mediator.getByRole('link', { name: 'Manage this budget' }).click();
  await mediator.getByLabel('Email address').fill('gov@demo.baraza');
  await mediator.getByLabel('Task').selectOption('reviewer');
  await mediator.getByRole('button', { name: 'Name them' }).click();
  await expect(mediator.locator('#staff')).toBeVisible();
  await expect(mediator.getByRole('status')).toBeVisible();
  await expect(mediator.getByRole('row', { name: /Daniel Mensah/ })).toBeVisible();
  await look(mediator, 'manage-proposals');

  // The citizen proposes there.
  const citizen = await as(browser, 'citizen@demo.baraza');
  await citizen.goto(`${budgetUrl}/propose`);
  await propose(citizen, 'A zebra crossing at the school', '8,000');
  await expect(citizen.getByRole('status')).toHaveText('Your proposal is published.');
  const projectUrl = citizen.url().replace(/[#?].*$/, '');

  // The mediator closes the proposals: asked first, with what it will do.
  await mediator.reload();
  await mediator.getByRole('button', { name: 'Move on to: Technical review' }).click();
  const step = mediator.locator('.confirm-step');
  await expect(step).toContainText('Proposals close now');
  await look(mediator, 'manage-confirm');
  await step.getByRole('button', { name: 'Yes, move on to “Technical review”' }).click();
  await expect(mediator.getByRole('status')).toHaveText('The budget has moved on to its next phase.');
  await expect(mediator.getByText('Still to do before the next phase:')).toBeVisible();

  // The reviewer finds it not feasible, with a reason and a public explanation.
  const gov = await as(browser, 'gov@demo.baraza');
  await gov.goto(budgetUrl);
  await gov.locator('.your-part').getByRole('link', { name: 'Review the proposals' }).click();
  await gov.getByRole('link', { name: 'A zebra crossing at the school' }).click();
  await look(gov, 'review-form');
  await gov.getByLabel('Not feasible').check();
  await gov
    .getByLabel('Public explanation')
    .fill('Mill Lane is a regional road: crossings on it are for the regional roads office, which we have asked to act.');
  await gov.getByRole('button', { name: 'Publish the review' }).click();
  // No reason chosen: refused beside the field, what was written kept.
  await expect(gov.locator('.error-summary')).toBeVisible();
  await expect(gov.getByLabel('Not feasible')).toBeChecked();
  await expect(gov.getByLabel('Public explanation')).toHaveValue(/regional roads office/);
  await look(gov, 'review-error');
  await gov.getByLabel('Reason').selectOption('outside_competence');
  await gov.getByRole('button', { name: 'Publish the review' }).click();
  await expect(gov.getByRole('status')).toHaveText('The review is published.');

  // The citizen reads why.
  await citizen.goto(projectUrl);
  const why = citizen.getByRole('region', { name: 'Why this proposal is not on the ballot' });
  await expect(why).toBeVisible();
  await expect(why).toContainText("Not the city's responsibility");
  await expect(why).toContainText('regional roads office');
  await expect(why).toContainText('Reviewed by Daniel Mensah');
  await look(citizen, 'project-not-feasible');
  await citizen.goto(budgetUrl);
  await expect(citizen.locator('.project-card')).toContainText("Not on the ballot: Not the city's responsibility");
  await look(citizen, 'overview-review');
});
