import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { expectAccessible, processIn, signIn, watchErrors } from '../helpers';

// The chair's console on a desktop and on a phone: the pinned bar (floor, timer, hands raised,
// current item) shows a hand going up, flags it and tells screen readers; the person given the
// floor cannot miss it. And closing a sitting, irreversible, takes a confirmation step that works
// without JavaScript.

const HEARING = 'Public hearing: e-participation and the workforce';
const VIEWPORTS = [
  { name: 'desktop', width: 1366, height: 768 },
  { name: 'phone', width: 390, height: 844 },
];

/** A signed-in window of its own (its own cookies) at the given size. */
async function windowFor(
  browser: Browser,
  email: string,
  viewport: { width: number; height: number },
  contexts: BrowserContext[],
  javaScriptEnabled = true,
): Promise<Page> {
  const context = await browser.newContext({ viewport, javaScriptEnabled });
  contexts.push(context);
  const page = await context.newPage();
  await signIn(page, email);
  return page;
}

/** The demo's public hearing on the national strategy, from its process page. */
async function openHearing(page: Page): Promise<string> {
  const process = await processIn(page, 'public_comment');
  await page.goto(`/processes/${process}`);
  await page.locator('ul.sittings li', { hasText: HEARING }).getByRole('link').first().click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(HEARING);
  return new URL(page.url()).pathname;
}

for (const viewport of VIEWPORTS) {
  test(`the chair sees a raised hand and the speaker is told they have the floor (${viewport.name})`, async ({ browser }) => {
    test.setTimeout(90_000);
    const contexts: BrowserContext[] = [];
    try {
      const chair = await windowFor(browser, 'mediator@demo.baraza', viewport, contexts);
      const chairErrors = watchErrors(chair);
      const address = await openHearing(chair);
      await expect(chair.locator('.sitting-status')).toContainText('Live');
      // The hearing is scheduled in the demo; a story before this one may have opened it.
      const open = chair.getByRole('button', { name: 'Open the sitting' });
      if (await open.isVisible()) await open.click();
      await expect(chair.locator('.sitting-status')).toContainText('In session');

      // A researcher from an invited institute joins, accepting the rules of engagement once (the
      // elder's first acceptance is the story of sitting.spec.ts, so the elder is left alone here).
      const speaker = await windowFor(browser, 'academia@demo.baraza', viewport, contexts);
      const speakerErrors = watchErrors(speaker);
      await speaker.goto(address);
      if (await speaker.getByRole('heading', { name: 'Rules of engagement' }).isVisible()) {
        await speaker.getByLabel('I have read the rules of engagement').check();
        await speaker.getByRole('button', { name: 'Accept and take part' }).click();
        await expect(speaker.locator('p.notice')).toContainText('accepted the rules');
      }
      await expect(speaker.locator('.sitting-status')).toContainText('Live');
      // A turn or a hand left from an earlier story is cleared first.
      const endTurn = chair.locator('.console-bar').getByRole('button', { name: 'End the turn' });
      if (await endTurn.isVisible()) await endTurn.click();
      const lower = speaker.getByRole('button', { name: 'Lower my hand' });
      if (await lower.isVisible()) await lower.click();

      // The pinned bar: who has the floor, hands raised, the current item; compact on a phone.
      const bar = chair.locator('.console-bar');
      await expect(bar).toBeVisible();
      await expect(bar.locator('.bar-floor')).toContainText('Nobody has the floor.');
      await expect(bar.locator('.bar-hands')).toHaveText('Hands raised: 0');
      await expect(bar.locator('.bar-item')).toContainText('Opening: what the draft proposes');
      const barBox = await bar.boundingBox();
      expect(barBox!.height, 'the bar takes at most a fifth of the screen').toBeLessThanOrEqual(viewport.height / 5);
      await expect(bar.locator('.bar-hands')).not.toHaveClass(/flagged/);

      // The researcher raises a hand: the count goes up, flagged, and screen readers are told once.
      await speaker.getByRole('button', { name: 'Raise my hand' }).click();
      await expect(bar.locator('.bar-hands')).toContainText('Hands raised: 1');
      await expect(bar.locator('.bar-hands')).toHaveClass(/flagged/);
      await expect(bar.locator('.new-hand')).toHaveText('New hand');
      const announcement = chair.locator('.hands-announcement');
      await expect(announcement).toHaveAttribute('aria-live', 'polite');
      await expect(announcement).toHaveText(
        'Hands raised: 1 — Ingrid Solberg (University of Kalden – Institute of Public Administration) raised a hand',
      );

      // The queue and "Give the floor": above the fold on a desktop, a short scroll on a phone
      // (with the bar pinned above them meanwhile).
      const give = chair.locator('ol.queue li', { hasText: 'Ingrid Solberg' }).getByRole('button', { name: 'Give the floor' });
      await expect(give).toBeInViewport();
      await chair.screenshot({ path: test.info().outputPath(`chair-console-hand-${viewport.name}.png`) });
      await give.scrollIntoViewIfNeeded();
      await expect(bar).toBeInViewport();
      await chair.screenshot({ path: test.info().outputPath(`chair-console-queue-${viewport.name}.png`) });
      await expectAccessible(chair);

      // The researcher reads further down the page; the chair gives the floor; they cannot miss it.
      await speaker.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
      await give.click();
      const notice = speaker.locator('.floor-notice');
      await expect(notice.getByRole('alert')).toContainText('You have the floor.');
      await expect(notice).toBeInViewport();
      await expect(notice.locator('.timer')).toContainText('/ 3:00');
      await expect(speaker.locator('.bar-floor')).toBeHidden();
      const speakerBar = await speaker.locator('.console-bar').boundingBox();
      expect(speakerBar!.height, 'with the notice, still at most a fifth of the screen').toBeLessThanOrEqual(viewport.height / 5);
      await speaker.screenshot({ path: test.info().outputPath(`chair-console-floor-${viewport.name}.png`) });
      await expectAccessible(speaker);
      await expect(announcement).toHaveText(
        'Ingrid Solberg (University of Kalden – Institute of Public Administration) has the floor. Hands raised: 0',
      );
      await expect(bar.locator('.floor-speaker')).toContainText('Ingrid Solberg');
      // The chair's bar with someone speaking: the timer and "End the turn", still compact.
      await expect(bar.locator('.timer')).toContainText('/ 3:00');
      expect((await bar.boundingBox())!.height).toBeLessThanOrEqual(viewport.height / 5);
      await chair.screenshot({ path: test.info().outputPath(`chair-console-speaking-${viewport.name}.png`) });
      await expect(bar.locator('.bar-hands')).toHaveText('Hands raised: 0');

      // The chair ends the turn from the bar: the notice goes, and the others are told.
      await endTurn.click();
      await expect(notice).toHaveCount(0);
      await expect(announcement).toHaveText('The turn has ended; nobody has the floor.');
      expect(chairErrors).toEqual([]);
      expect(speakerErrors).toEqual([]);
    } finally {
      for (const context of contexts) await context.close();
    }
  });
}

test('closing a sitting takes a confirmation step, also without JavaScript', async ({ browser }) => {
  test.setTimeout(60_000);
  const contexts: BrowserContext[] = [];
  try {
    const chair = await windowFor(browser, 'mediator@demo.baraza', VIEWPORTS[0], contexts, false);
    const process = await processIn(chair, 'public_comment');
    await chair.goto(`/processes/${process}/sittings/new`);
    await chair.getByLabel('Title').fill('Short briefing on the hearing');
    await chair.getByLabel('Starts at').fill('2026-12-10T09:30');
    await chair.getByLabel('Place or link').fill('Ministry annex, hall B');
    await chair.getByLabel('Item 1').fill('Arrangements');
    await chair.getByLabel(/Council of Elders of the Lakeshore Wards/).check();
    await chair.getByRole('button', { name: 'Schedule a sitting' }).click();
    await expect(chair.getByRole('heading', { level: 1 })).toHaveText('Short briefing on the hearing');
    const address = new URL(chair.url()).pathname;
    await chair.getByRole('button', { name: 'Open the sitting' }).click();
    await expect(chair.locator('.sitting-status')).toContainText('In session');

    // A close that skips the step is refused by the server, with a message; the sitting stays open.
    const skipped = await chair.request.post(address, {
      form: { intent: 'command', do: 'close' },
      headers: { origin: new URL(chair.url()).origin },
    });
    expect(skipped.status()).toBe(400);
    expect(await skipped.text()).toContain('needs confirming');

    // The control sits at the end of the console and leads to the step, a page of its own.
    const end = chair.getByRole('region', { name: 'End the sitting' });
    await end.getByRole('link', { name: 'Close the sitting…' }).click();
    expect(chair.url()).toContain('?confirm=close');
    const step = chair.getByRole('group', { name: 'Close the sitting for good?' });
    await expect(step).toContainText('ends the speaking queue, any open poll and the writing of the minutes for good');
    await expect(step).toContainText('cannot be undone');
    await chair.screenshot({ path: test.info().outputPath('chair-console-confirm-close.png'), fullPage: true });
    // axe runs as a script, so the same step is checked in a window with JavaScript.
    const checker = await windowFor(browser, 'mediator@demo.baraza', VIEWPORTS[0], contexts);
    await checker.goto(`${address}?confirm=close`);
    await expect(checker.getByRole('group', { name: 'Close the sitting for good?' })).toBeVisible();
    await expect(checker.locator('.sitting-status')).toContainText('Live');
    await expectAccessible(checker);

    // Kept open first; then closed for good.
    await step.getByRole('link', { name: 'Keep the sitting open' }).click();
    await expect(chair.locator('.sitting-status')).toContainText('In session');
    await expect(chair.getByRole('button', { name: 'Close the sitting for good' })).toHaveCount(0);
    await chair.getByRole('link', { name: 'Close the sitting…' }).click();
    await chair.getByRole('button', { name: 'Close the sitting for good' }).click();
    await expect(chair.getByRole('heading', { level: 1 })).toHaveText('Record: Short briefing on the hearing');
    await expect(chair.locator('.sitting-status')).toContainText('Closed');
  } finally {
    for (const context of contexts) await context.close();
  }
});
