// Voting in a budget: the manager prints voting codes for a desk; a voter without an account
// votes with one, watching the running total as they tick projects; a signed-in citizen checks
// their identity against the census list and votes; each gets a receipt, once. When the results
// are out, each finds their own ballot, exactly as cast, among the published ones. Every page is
// checked with axe and photographed on a laptop and a phone.
//
// The demo's budget in its voting phase (Digital Inclusion Fund 2026) is used, and moved on to
// its results at the end: this story runs after the other budget stories (file order).
import { test, expect, type Page } from '@playwright/test';
import { expectAccessible, signIn, watchErrors } from '../helpers';

const VIEWPORTS = [
  { name: 'laptop', width: 1366, height: 900 },
  { name: 'phone', width: 390, height: 844 },
];

/** Photographs the page at both sizes (the last one stays). */
async function photograph(page: Page, name: string) {
  for (const v of VIEWPORTS) {
    await page.setViewportSize({ width: v.width, height: v.height });
    await page.screenshot({ path: test.info().outputPath(`${name}-${v.name}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: VIEWPORTS[0].width, height: VIEWPORTS[0].height });
}

/** The demo budget in its voting phase. */
async function votingBudget(page: Page): Promise<number> {
  const { budgets } = await (await page.request.get('/api/v1/budgets')).json();
  const found = budgets.find((b: { phase: string }) => b.phase === 'voting');
  expect(found, 'a demo budget in its voting phase').toBeTruthy();
  return found.id;
}

test('without JavaScript, "Check my ballot" gives the total and keeps the choices', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const { budgets } = await (await page.request.get('/api/v1/budgets')).json();
  const voting = budgets.find((b: { phase: string }) => b.phase === 'voting');
  expect(voting, 'a demo budget in its voting phase').toBeTruthy();
  await page.goto(`/budgets/${voting.id}/vote`);
  await page.getByRole('checkbox', { name: /A digital help bus/ }).check();
  await page.getByRole('checkbox', { name: /Free Wi-Fi/ }).check();
  await page.getByRole('checkbox', { name: /Coding clubs/ }).check();
  await page.getByRole('button', { name: 'Check my ballot' }).click();
  await expect(page.locator('.ballot-sum')).toHaveText('Chosen: 3 projects, €295,000 of €300,000');
  await expect(page.getByText('Your ballot is valid. Nothing has been cast yet.')).toBeVisible();
  await expect(page.getByRole('checkbox', { name: /Free Wi-Fi/ })).toBeChecked();
  // (axe needs JavaScript: the same page is checked in the story below.)
  await context.close();
});

test('a code voter and a signed-in voter vote in secret and find their ballots', async ({ browser }) => {
  test.setTimeout(120_000);

  // The manager prints two codes at the desk: the sheet is shown once, as cards to cut out.
  const managerContext = await browser.newContext();
  const manager = await managerContext.newPage();
  const managerErrors = watchErrors(manager);
  await signIn(manager, 'admin@demo.baraza');
  const budget = await votingBudget(manager);
  await manager.goto(`/budgets/${budget}/eligibility`);
  await expect(manager.getByRole('heading', { level: 1 })).toContainText('Who may vote');
  await expectAccessible(manager);
  await photograph(manager, 'eligibility');
  await manager.getByLabel('How many codes to print').fill('2');
  await manager.getByRole('button', { name: 'Print codes' }).click();
  const cards = manager.locator('.code-card');
  await expect(cards).toHaveCount(2);
  await expect(manager.getByRole('alert')).toContainText('They cannot be shown again');
  await expect(cards.first()).toContainText(`/budgets/${budget}/vote`);
  const codes = await manager.locator('.code-card-code code').allTextContents();
  expect(codes[0]).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  await expectAccessible(manager);
  await photograph(manager, 'code-sheet');
  await manager.emulateMedia({ media: 'print' });
  await manager.screenshot({ path: test.info().outputPath('code-sheet-print.png'), fullPage: true });
  await manager.emulateMedia({ media: 'screen' });

  // A voter without an account: the ballot, the running total as they tick, the code, the
  // final word, and the receipt.
  const voterContext = await browser.newContext();
  const voter = await voterContext.newPage();
  const voterErrors = watchErrors(voter);
  await voter.goto(`/budgets/${budget}/vote`);
  await expect(voter.getByText('A ballot is final once cast')).toBeVisible();
  await expect(voter.locator('.ballot-sum')).toHaveText('Chosen: 0 projects, €0 of €300,000');
  await expectAccessible(voter);
  await photograph(voter, 'ballot');
  await voter.getByRole('checkbox', { name: /A digital help bus/ }).check();
  await voter.getByRole('checkbox', { name: /Refurbished phones/ }).check();
  await expect(voter.locator('.ballot-sum')).toHaveText('Chosen: 2 projects, €180,000 of €300,000');
  // Too much is said at once, before anything is sent.
  await voter.getByRole('checkbox', { name: /Coding clubs/ }).check();
  await voter.getByRole('checkbox', { name: /Free Wi-Fi/ }).check();
  await expect(voter.locator('.ballot-sum')).toHaveText('Chosen: 4 projects, €355,000 of €300,000');
  await expect(voter.locator('.ballot-warning')).toHaveText(/more than the area/);
  await photograph(voter, 'ballot-over');
  await voter.getByRole('checkbox', { name: /Coding clubs/ }).uncheck();
  await voter.getByRole('checkbox', { name: /Free Wi-Fi/ }).uncheck();
  await voter.getByLabel('Voting code').fill(codes[0].toLowerCase());
  // Unconfirmed, nothing is cast and nothing is lost.
  await voter.getByRole('button', { name: 'Cast my ballot' }).click();
  await expect(voter.locator('.field-error')).toContainText('Tick the box to confirm');
  await expect(voter.getByRole('checkbox', { name: /A digital help bus/ })).toBeChecked();
  await expect(voter.getByLabel('Voting code')).toHaveValue(codes[0].toLowerCase());
  await expectAccessible(voter);
  await voter.getByLabel('I understand that my ballot is final once cast.').check();
  await voter.getByRole('button', { name: 'Cast my ballot' }).click();
  await expect(voter.getByRole('heading', { level: 1 })).toHaveText('Your ballot is cast');
  const codeReceipt = (await voter.locator('.receipt-code code').textContent())!.trim();
  expect(codeReceipt).toMatch(/^([0-9A-Z]{4}-){6}[0-9A-Z]{2}$/);
  await expect(voter.getByText('cannot be shown again')).toBeVisible();
  await expectAccessible(voter);
  await photograph(voter, 'receipt');
  // The code is spent.
  await voter.goto(`/budgets/${budget}/vote`);
  await voter.getByRole('checkbox', { name: /Sign-language/ }).check();
  await voter.getByLabel('Voting code').fill(codes[0]);
  await voter.getByLabel('I understand that my ballot is final once cast.').check();
  await voter.getByRole('button', { name: 'Cast my ballot' }).click();
  await expect(voter.locator('.error-summary')).toContainText('This code has already voted');
  await expect(voter.getByRole('checkbox', { name: /Sign-language/ })).toBeChecked();

  // A signed-in citizen checks against the census list, then votes.
  const citizenContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const citizen = await citizenContext.newPage();
  const citizenErrors = watchErrors(citizen);
  await signIn(citizen, 'citizen@demo.baraza');
  await citizen.goto(`/budgets/${budget}/vote`);
  await expect(citizen.getByRole('heading', { name: 'Check that you are on the census list' })).toBeVisible();
  await expectAccessible(citizen);
  await citizen.getByLabel('Identity document number').fill('VD 4471 2093');
  await citizen.getByLabel('Date of birth').fill('1988-06-14');
  await citizen.getByRole('button', { name: 'Check my details' }).click();
  await expect(citizen.locator('#notice')).toContainText('You are on the census list');
  await expect(citizen.getByText('You may vote in this area.')).toBeVisible();
  await citizen.getByRole('checkbox', { name: /Sign-language/ }).check();
  await citizen.getByRole('checkbox', { name: /plain language/ }).check();
  await expect(citizen.locator('.ballot-sum')).toHaveText('Chosen: 2 projects, €95,000 of €300,000');
  await citizen.getByLabel('I understand that my ballot is final once cast.').check();
  await citizen.screenshot({ path: test.info().outputPath('ballot-signed-in-phone.png'), fullPage: true });
  await citizen.getByRole('button', { name: 'Cast my ballot' }).click();
  await expect(citizen.getByRole('heading', { level: 1 })).toHaveText('Your ballot is cast');
  const citizenReceipt = (await citizen.locator('.receipt-code code').textContent())!.trim();
  await citizen.screenshot({ path: test.info().outputPath('receipt-signed-in-phone.png'), fullPage: true });
  await citizen.goto(`/budgets/${budget}/vote`);
  await expect(citizen.getByText('You have voted in this area. Thank you.')).toBeVisible();

  // Before the results, the results page says when they come.
  await voter.goto(`/budgets/${budget}/results`);
  await expect(voter.getByText('Results are published when voting closes.')).toBeVisible();
  await expectAccessible(voter);

  // The manager closes the vote (it asks first).
  await manager.goto(`/budgets/${budget}/manage`);
  await manager.getByRole('button', { name: 'Move on to: Results' }).click();
  await manager.getByRole('button', { name: 'Yes, move on to “Results”' }).click();
  await expect(manager.locator('#notice')).toBeVisible();

  // Each voter finds their ballot, exactly as cast, by typing their receipt.
  for (const [page, receipt, chosen] of [
    [voter, codeReceipt, [/A digital help bus/, /Refurbished phones/]],
    [citizen, citizenReceipt, [/Sign-language/, /plain language/]],
  ] as const) {
    await page.goto(`/budgets/${budget}/results`);
    await page.getByLabel('Receipt').fill(receipt.toLowerCase().replaceAll('-', ' '));
    await page.getByRole('button', { name: 'Find my ballot' }).click();
    const found = page.locator('.receipt-found');
    await expect(found).toContainText('Your ballot, exactly as cast');
    for (const title of chosen) await expect(found.getByRole('listitem').filter({ hasText: title })).toHaveCount(1);
    await expect(found.getByRole('listitem')).toHaveCount(chosen.length);
  }
  await expectAccessible(voter);
  await photograph(voter, 'results');
  await expect(voter.getByRole('heading', { name: 'Published ballots' })).toBeVisible();
  await expect(voter.getByRole('link', { name: /pabulib/ })).toHaveAttribute('href', /\.pb$/);
  // A receipt that was never given is not found.
  await voter.getByLabel('Receipt').fill('ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZ');
  await voter.getByRole('button', { name: 'Find my ballot' }).click();
  await expect(voter.getByText('No published ballot has this receipt')).toBeVisible();

  expect(managerErrors).toEqual([]);
  expect(voterErrors).toEqual([]);
  expect(citizenErrors).toEqual([]);
  await managerContext.close();
  await voterContext.close();
  await citizenContext.close();
});
