// What a reader on a slow link downloads before they can read a page, and in all.
//
// Loads each page in headless Chromium (Debian's, through the end-to-end tests' Playwright) with a
// cold cache, throttled by Chromium's own network emulation, and counts the bytes on the wire
// (compressed, headers included) of every request:
//   readable: the page, its stylesheets and anything else that blocks the first paint;
//   total:    everything the page fetched until the network fell quiet (scripts, WebAssembly),
//             long-lived live connections (websocket, event stream) left out;
//   repeat:   the bytes fetched when the reader opens the same page again (browser cache warm).
// Times are measured under the emulated link: first contentful paint ("readable"), and the end of
// the last request ("done").
//
//   node server/benches/page-weight.mjs http://127.0.0.1:3000
// Environment: PAGE_WEIGHT_KBITS (default 400), PAGE_WEIGHT_RTT_MS (default 200),
// CHROMIUM_PATH (default /usr/bin/chromium).

import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(root, 'end2end', 'package.json'));
const { chromium } = require('@playwright/test');

const base = process.argv[2] ?? 'http://127.0.0.1:3000';
const kbits = Number(process.env.PAGE_WEIGHT_KBITS ?? 400);
const rtt = Number(process.env.PAGE_WEIGHT_RTT_MS ?? 200);
const bytesPerSecond = (kbits * 1000) / 8;

/** The representative pages of the demo, found through its open data and its links. */
async function pages() {
  const { processes } = await (await fetch(`${base}/api/v1/processes`)).json();
  const withDrafts = [];
  for (const p of processes) {
    const full = await (await fetch(`${base}/api/v1/processes/${p.id}`)).json();
    if (full.drafts.length > 0) withDrafts.push(full);
  }
  const commenting = withDrafts.find((p) => p.phase === 'public_comment') ?? withDrafts[0];
  let sitting;
  for (const p of processes) {
    const html = await (await fetch(`${base}/processes/${p.id}`)).text();
    const found = html.match(/\/processes\/\d+\/sittings\/\d+/);
    if (found) {
      sitting = found[0];
      break;
    }
  }
  return [
    ['Home', '/'],
    ['Decisions', '/decisions'],
    ['A process', `/processes/${commenting.id}`],
    ['How this works', `/processes/${commenting.id}/how-it-works`],
    ['A draft (public comment)', commenting.drafts[0].url],
    ['A sitting', sitting],
    ['Sign in', '/auth/login'],
  ].filter(([, path]) => path);
}

/** Loads `path` in `page` under the emulated link; the bytes and times of what it fetched. */
async function measure(page, cdp, path) {
  const requests = new Map();
  const streaming = new Set(['WebSocket', 'EventSource']);
  const onSent = (e) => {
    if (!requests.has(e.requestId)) {
      requests.set(e.requestId, { url: e.request.url, type: e.type, blocking: e.renderBlockingBehavior, start: e.timestamp });
    }
  };
  const onResponse = (e) => {
    const r = requests.get(e.requestId);
    if (r) {
      r.type = e.type;
      r.status = e.response.status;
      r.fromCache = e.response.fromDiskCache || e.response.fromMemoryCache;
    }
  };
  const onFinished = (e) => {
    const r = requests.get(e.requestId);
    if (r) {
      r.bytes = e.encodedDataLength;
      r.end = e.timestamp;
    }
  };
  const onFailed = (e) => {
    const r = requests.get(e.requestId);
    if (r) r.end = e.timestamp;
  };
  cdp.on('Network.requestWillBeSent', onSent);
  cdp.on('Network.responseReceived', onResponse);
  cdp.on('Network.loadingFinished', onFinished);
  cdp.on('Network.loadingFailed', onFailed);
  await page.goto(base + path, { waitUntil: 'load', timeout: 300_000 });
  // Quiet: every request but the live connections done, and nothing new for two seconds.
  let quietSince = Date.now();
  let seen = requests.size;
  while (Date.now() - quietSince < 2000) {
    await new Promise((r) => setTimeout(r, 250));
    const open = [...requests.values()].some((r) => r.end === undefined && !streaming.has(r.type));
    if (open || requests.size !== seen) {
      quietSince = Date.now();
      seen = requests.size;
    }
  }
  const fcp = await page.evaluate(
    () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
  );
  cdp.off('Network.requestWillBeSent', onSent);
  cdp.off('Network.responseReceived', onResponse);
  cdp.off('Network.loadingFinished', onFinished);
  cdp.off('Network.loadingFailed', onFailed);

  const all = [...requests.values()].filter((r) => !streaming.has(r.type));
  const navigation = Math.min(...all.map((r) => r.start));
  const blocksPaint = (r) =>
    r.type === 'Document' || r.type === 'Stylesheet' || r.blocking === 'Blocking' || r.blocking === 'InBodyParserBlocking';
  const sum = (list) => list.reduce((total, r) => total + (r.bytes ?? 0), 0);
  return {
    readableBytes: sum(all.filter(blocksPaint)),
    totalBytes: sum(all),
    wasm: all.some((r) => r.url.endsWith('.wasm')),
    readableMs: fcp,
    doneMs: (Math.max(...all.map((r) => r.end ?? r.start)) - navigation) * 1000,
    requests: all.map((r) => `${r.status ?? '-'} ${r.bytes ?? 0} ${r.url.replace(base, '')}`),
  };
}

const kb = (bytes) => (bytes / 1024).toFixed(1);
const seconds = (ms) => (ms === null ? 'n/a' : (ms / 1000).toFixed(1));

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic'],
});
const rows = [];
for (const [name, path] of await pages()) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: rtt,
    downloadThroughput: bytesPerSecond,
    uploadThroughput: bytesPerSecond,
  });
  const cold = await measure(page, cdp, path);
  const repeat = await measure(page, cdp, path);
  await context.close();
  rows.push({ name, path, cold, repeat });
  if (process.env.PAGE_WEIGHT_VERBOSE) {
    console.error(`${name} ${path}\n  cold:   ${cold.requests.join('\n          ')}\n  repeat: ${repeat.requests.join('\n          ')}`);
  }
}
await browser.close();

console.log(`Page weight at ${kbits} kbit/s, ${rtt} ms round trip (${base}); KiB on the wire, seconds under emulation\n`);
console.log('| Page | Readable: KiB | Readable: s | Total: KiB | Done: s | WebAssembly | Repeat visit: KiB |');
console.log('| --- | ---: | ---: | ---: | ---: | --- | ---: |');
for (const { name, cold, repeat } of rows) {
  console.log(
    `| ${name} | ${kb(cold.readableBytes)} | ${seconds(cold.readableMs)} | ${kb(cold.totalBytes)} | ${seconds(cold.doneMs)} | ${cold.wasm ? 'yes' : 'no'} | ${kb(repeat.totalBytes)} |`,
  );
}
