// What a reader downloads: a page with nothing interactive fetches no script and no WebAssembly;
// a page with an island fetches the bundle under its versioned name, kept for a year, and comes
// alive. (Weight and layout, issue 20.)
import { test, expect, type Page } from '@playwright/test';
import { expectAccessible, processIn, watchErrors } from '../helpers';

const VERSIONED = /^\/pkg\/[a-z_]+\.[0-9a-f]{16}\.(js|wasm|css)$/;

/** Opens `path` and collects the paths of every request it makes, until the browser has been
 * idle for a while (the islands script waits for idle time before it fetches anything). */
async function requestsOf(page: Page, path: string): Promise<string[]> {
  const paths: string[] = [];
  const listen = (request: { url(): string }) => paths.push(new URL(request.url()).pathname);
  page.on('request', listen);
  await page.goto(path);
  await page.evaluate(
    () => new Promise<void>((done) => requestIdleCallback(() => setTimeout(() => requestIdleCallback(() => done()), 500))),
  );
  page.off('request', listen);
  return paths;
}

test('pages with nothing interactive load no script and no WebAssembly', async ({ page }) => {
  const errors = watchErrors(page);
  const id = await processIn(page, 'public_comment');
  for (const path of ['/', '/decisions', `/processes/${id}/how-it-works`]) {
    const paths = await requestsOf(page, path);
    expect(await page.locator('leptos-island').count(), `${path} has no island`).toBe(0);
    expect(paths.filter((p) => p.endsWith('.wasm') || p.endsWith('.js')), `${path} fetches no script`).toEqual([]);
    // Not even a hint to fetch it later.
    await expect(page.locator('link[rel="modulepreload"], link[rel="preload"]')).toHaveCount(0);
    const stylesheet = await page.locator('link[rel="stylesheet"]').first().getAttribute('href');
    expect(stylesheet, 'the stylesheet has a versioned name').toMatch(VERSIONED);
  }
  await expectAccessible(page);
  expect(errors).toEqual([]);
});

test('sign-in and a draft load the bundle under its versioned name and come alive', async ({ page }) => {
  const errors = watchErrors(page);
  const wasm = page.waitForResponse((r) => r.url().endsWith('.wasm'));
  const paths = await requestsOf(page, '/auth/login');
  const bundle = await wasm;
  expect(new URL(bundle.url()).pathname).toMatch(VERSIONED);
  expect(paths.filter((p) => p.endsWith('.js') || p.endsWith('.wasm')).every((p) => VERSIONED.test(p))).toBe(true);
  // The show-password button is an island: hidden until hydrated, then it shows what was typed.
  const password = page.getByLabel('Password', { exact: true });
  await password.fill('typed in the open');
  const show = page.getByRole('button', { name: 'Show' });
  await expect(show).toBeVisible();
  await show.click();
  await expect(password).toHaveAttribute('type', 'text');
  await expect(page.getByRole('button', { name: 'Hide' })).toHaveAttribute('aria-pressed', 'true');

  // A draft page: its reading view is an island.
  const id = await processIn(page, 'public_comment');
  const detail = await (await page.request.get(`/api/v1/processes/${id}`)).json();
  const draftPaths = await requestsOf(page, detail.drafts[0].url);
  expect(draftPaths.some((p) => p.endsWith('.wasm'))).toBe(true);
  await expect(page.locator('leptos-island').first()).toBeAttached();
  expect(errors).toEqual([]);
});

test('versioned files are kept for a year, compressed; others are checked each time', async ({ page }) => {
  await page.goto('/auth/login');
  const css = await page.locator('link[rel="stylesheet"]').first().getAttribute('href');
  const script = await page.locator('script[type="module"]').first().textContent();
  const urls = [css!, ...(script!.match(/\/pkg\/[^"]+/g) ?? [])];
  expect(urls.length, 'the stylesheet, the script and the WebAssembly').toBe(3);
  for (const url of urls) {
    expect(url).toMatch(VERSIONED);
    const response = await page.request.get(url, { headers: { 'Accept-Encoding': 'br, gzip' } });
    expect(response.status(), url).toBe(200);
    expect(response.headers()['cache-control'], url).toBe('public, max-age=31536000, immutable');
    expect(response.headers()['content-encoding'], url).toBe('br');
  }
  const gzipped = await page.request.get(urls[2], { headers: { 'Accept-Encoding': 'gzip' } });
  expect(gzipped.headers()['content-encoding']).toBe('gzip');

  // The editor's glue keeps its documented plain address for other Quill clients: revalidated.
  const plain = await page.request.get('/pkg/editor.js');
  expect(plain.status()).toBe(200);
  expect(plain.headers()['cache-control']).toBe('no-cache');
  // A versioned name that does not exist (yet) is not remembered as missing.
  const missing = await page.request.get('/pkg/baraza.0000000000000000.wasm');
  expect(missing.status()).toBe(404);
  expect(missing.headers()['cache-control']).toBe('no-cache');
});
