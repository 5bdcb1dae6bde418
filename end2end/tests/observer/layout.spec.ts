// The frame on a laptop and on a phone: the page's content stands in the middle of a wide screen,
// and a phone's header is one line, its links behind a menu that works without JavaScript.
// (Weight and layout, issue 20.) Screenshots of each page at both sizes go to the test's output,
// or to the folder BARAZA_SCREENSHOTS names (Playwright empties its output folder on every run).
import { test, expect, type Page } from '@playwright/test';
import { join } from 'node:path';
import { expectAccessible, processIn } from '../helpers';

function shot(name: string): string {
  const folder = process.env.BARAZA_SCREENSHOTS;
  return folder ? join(folder, name) : test.info().outputPath(name);
}

/** The empty space left and right of what the page's main landmark shows. */
async function gaps(page: Page): Promise<{ left: number; right: number }> {
  return page.evaluate(() => {
    const main = document.querySelector('main')!;
    const boxes = [...main.children]
      .map((child) => child.getBoundingClientRect())
      .filter((box) => box.width > 0 && box.height > 0);
    const left = Math.min(...boxes.map((b) => b.left));
    const right = Math.max(...boxes.map((b) => b.right));
    return { left, right: document.documentElement.clientWidth - right };
  });
}

async function pages(page: Page): Promise<[string, string][]> {
  const id = await processIn(page, 'public_comment');
  const detail = await (await page.request.get(`/api/v1/processes/${id}`)).json();
  return [
    ['home', '/'],
    ['decisions', '/decisions'],
    ['process', `/processes/${id}`],
    ['how-it-works', `/processes/${id}/how-it-works`],
    ['draft', detail.drafts[0].url],
    ['sign-in', '/auth/login'],
  ];
}

test('on a 1366-pixel screen the content is centred and the links are in the header', async ({ page }) => {
  await page.setViewportSize({ width: 1366, height: 768 });
  for (const [name, path] of await pages(page)) {
    await page.goto(path);
    const { left, right } = await gaps(page);
    expect(Math.abs(left - right), `${name}: ${left} px left, ${right} px right`).toBeLessThanOrEqual(4);
    expect(left, `${name} uses the screen`).toBeGreaterThan(50);
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Decisions' })).toBeVisible();
    await expect(page.locator('.site-menu > summary')).toBeHidden();
    if (['home', 'process', 'draft'].includes(name)) {
      await page.screenshot({ path: shot(`${name}-1366.png`) });
    }
  }
  await expectAccessible(page);
});

test('on a phone the header is one line and its menu opens by keyboard, without JavaScript too', async ({ browser }) => {
  for (const javaScriptEnabled of [true, false]) {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled });
    const page = await context.newPage();
    for (const [name, path] of await pages(page)) {
      await page.goto(path);
      const header = await page.locator('.site-header').boundingBox();
      expect(header!.height, `${name}: the header's height`).toBeLessThanOrEqual(80);
      const overflow = await page.evaluate(() => {
        const header = document.querySelector('.site-header')!;
        return [header.scrollWidth - header.clientWidth, document.documentElement.scrollWidth - 390];
      });
      expect(overflow, `${name}: nothing sticks out of the header or the page`).toEqual([0, 0]);
      // The language switcher stays in sight; the links wait behind the menu.
      await expect(page.getByLabel('Language')).toBeVisible();
      const nav = page.getByRole('navigation', { name: 'Main' });
      await expect(nav).toBeHidden();
      if (javaScriptEnabled && ['home', 'process', 'draft'].includes(name)) {
        await page.screenshot({ path: shot(`${name}-390.png`) });
      }
    }
    await page.goto('/');
    // The skip link first, then the brand, then the menu.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    const menu = page.locator('.site-menu > summary');
    await expect(menu).toHaveAccessibleName('Menu');
    await expect(menu).toBeFocused();
    await page.keyboard.press('Enter');
    const decisions = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Decisions' });
    await expect(decisions).toBeVisible();
    if (javaScriptEnabled) {
      await page.screenshot({ path: shot('home-390-menu.png') });
      await expectAccessible(page);
    }
    // The open menu hangs over the page: the header keeps its height.
    expect((await page.locator('.site-header').boundingBox())!.height).toBeLessThanOrEqual(80);
    await decisions.click();
    await expect(page).toHaveURL(/\/decisions$/);
    await context.close();
  }
});
