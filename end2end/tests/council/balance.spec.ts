// A council member follows a hearing on a phone: the speaking balance's pills ("Not heard yet")
// stay whole, one line each, and the page does not scroll sideways.
import { test, expect } from '@playwright/test';
import { expectAccessible, processIn, signIn } from '../helpers';

const HEARING = 'Public hearing: e-participation and the workforce';

test('the speaking balance keeps its pills whole on a phone', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  try {
    const page = await context.newPage();
    await signIn(page, 'council@demo.baraza');
    await page.goto(`/processes/${await processIn(page, 'public_comment')}`);
    await page.locator('ul.sittings li', { hasText: HEARING }).getByRole('link').first().click();
    const balance = page.getByRole('region', { name: 'Speaking balance' });
    await balance.scrollIntoViewIfNeeded();
    const pills = balance.locator('.badge');
    expect(await pills.count()).toBeGreaterThan(0);
    for (const pill of await pills.all()) {
      const lines = await pill.evaluate((el) => el.getClientRects().length);
      const box = (await pill.boundingBox())!;
      const lineHeight = await pill.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight));
      expect(lines, 'a pill in one piece').toBe(1);
      expect(box.height, 'a pill on one line').toBeLessThan(lineHeight * 1.6);
      expect(box.x + box.width, 'a pill inside the screen').toBeLessThanOrEqual(390);
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await balance.screenshot({ path: 'test-results/balance-pills-390.png' });
    await expectAccessible(page);
  } finally {
    await context.close();
  }
});
