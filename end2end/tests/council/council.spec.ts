// A council member follows the process; deciding comes in its decision phase.
import { test, expect } from '@playwright/test';
import { expectAccessible, processIn, signIn } from '../helpers';

test('sees the council and what it will do, and cannot administer', async ({ page }) => {
  await signIn(page, 'council@demo.baraza');
  await page.goto(`/processes/${await processIn(page, 'drafting')}`);
  await expect(page.getByRole('region', { name: 'Who takes part' })).toContainText('Council member:');
  await expect(page.getByRole('complementary', { name: 'Your part' })).toContainText('Speak in sittings');
  await page.getByRole('link', { name: /How this process works/ }).click();
  const row = page.getByRole('row', { name: /Vote on the decision/ });
  await expect(row).toContainText('Decision');
  await expectAccessible(page);
  const response = await page.goto('/admin/processes/new');
  expect(response?.status()).toBe(403);
});
