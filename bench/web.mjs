// bench/web's browser part (run by bench/web): first loads of every page and the viewer's image changes, timed in
// Debian's Chromium, plus the bundle's sizes. Env: RADLAB_URL, RADLAB_TOKEN, RADLAB_E2E ({"useCaseId","datasetId",
// "modelId","deploymentId"}), BENCH_RUNS (default 7), BENCH_DIST (the built dist/ folder), BENCH_OUT (Markdown).
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { launch } from '../control-api/web/e2e/lib.mjs';

const BASE = process.env.RADLAB_URL;
const TOKEN = process.env.RADLAB_TOKEN;
const INPUT = JSON.parse(process.env.RADLAB_E2E || '{}');
const RUNS = Number(process.env.BENCH_RUNS || 7);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const PAGES = [
  ['Define', '/define'],
  ['Use case', `/define/${INPUT.useCaseId}`],
  ['Annotate', `/annotate?useCase=${INPUT.useCaseId}&dataset=${INPUT.datasetId}`],
  ['Create', '/create'],
  ['Evaluate', '/evaluate'],
  ['Run', `/run?model=${INPUT.modelId}`],
  ['Publish', `/publish?model=${INPUT.modelId}`],
  ['Assess', `/assess?deployment=${INPUT.deploymentId}`],
  ['Challenge', '/challenge'],
];

/** A fresh browser context (cold cache) whose pages are signed in with the token. */
async function signedIn(browser) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.addInitScript((t) => localStorage.setItem('radlab.token', t), TOKEN);
  return { context, page: await context.newPage() };
}

/**
 * Milliseconds from navigation start until the page is interactive: its module loaded, its data fetched and shown
 * (no loading placeholder left, content in <main>), and the main thread free for a frame.
 */
async function firstLoad(browser, path, ready) {
  const { context, page } = await signedIn(browser);
  await page.goto(`${BASE}${path}`, { waitUntil: 'commit' });
  await page.waitForFunction(ready, null, { timeout: 20000, polling: 'raf' });
  const ms = await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(performance.now()))));
  await context.close();
  return ms;
}

const APP_READY = `(() => { const m = document.querySelector('main');
  return m && m.children.length > 0 && !document.querySelector('.loading') && document.querySelector('.topbar'); })()`;
const DOCS_READY = `!!document.querySelector('table tr:last-child')`;

/**
 * The viewer's image changes on the Annotate page, as the page itself times them (from the click or key press to
 * the new image drawn, window.__radlabViewer.switches): clicks through the study's views, then labels studies with
 * the keyboard, each key showing the next study. Returns {view: [ms], study: [ms], first: ms}.
 */
async function viewerSwitches(browser) {
  const { context, page } = await signedIn(browser);
  await page.goto(`${BASE}/annotate?useCase=${INPUT.useCaseId}&dataset=${INPUT.datasetId}`);
  const count = () => page.evaluate(() => (window.__radlabViewer ? window.__radlabViewer.switches.length : 0));
  const until = (n) => page.waitForFunction((k) => window.__radlabViewer && window.__radlabViewer.switches.length > k,
    n, { timeout: 20000 });
  await until(0);
  const thumbs = await page.$$('[data-testid="thumb"]');
  for (let round = 0; round < 5; round += 1) {
    for (const thumb of thumbs) {
      const n = await count();
      await thumb.click();
      await until(n);
    }
  }
  await page.click('[data-testid="thumb-all"]');
  for (let i = 0; i < 10; i += 1) {
    const n = await count();
    await page.keyboard.press(String(1 + (i % 4)));
    await until(n);
  }
  const switches = await page.evaluate(() => window.__radlabViewer.switches);
  await context.close();
  return {
    first: switches[0].ms,
    view: switches.filter((s) => s.kind === 'view').map((s) => s.ms),
    study: switches.slice(1).filter((s) => s.kind === 'study').map((s) => s.ms),
  };
}

function bundle(dist) {
  const rows = [];
  const assets = join(dist, 'assets');
  for (const f of readdirSync(assets).sort()) {
    const data = readFileSync(join(assets, f));
    rows.push([f.replace(/-[A-Za-z0-9_-]{8}\./, '.'), statSync(join(assets, f)).size, gzipSync(data).length]);
  }
  return rows;
}

const browser = await launch();
const out = [];
const reference = [];
for (let i = 0; i < RUNS; i += 1) reference.push(await firstLoad(browser, '/api/docs', DOCS_READY));
const ref = median(reference);
out.push(`First load to interactive, cold browser cache, median of ${RUNS} (reference: the server-rendered `
  + `endpoint list /api/docs, ${ref.toFixed(0)} ms):`, '', '| page | median ms | max ms | ratio to reference |',
  '|---|---:|---:|---:|');
let worst = 0;
for (const [name, path] of PAGES) {
  const times = [];
  for (let i = 0; i < RUNS; i += 1) times.push(await firstLoad(browser, path, APP_READY));
  worst = Math.max(worst, median(times));
  out.push(`| ${name} | ${median(times).toFixed(0)} | ${Math.max(...times).toFixed(0)} | ${(median(times) / ref).toFixed(2)} |`);
  console.error(`bench/web: ${name}: ${median(times).toFixed(0)} ms`);
}
out.push('', `Slowest page median: ${worst.toFixed(0)} ms (target: under 1000 ms).`);
const switches = await viewerSwitches(browser);
out.push('', 'Viewer image changes on the Annotate page, from the click or key press to the image drawn (the page\'s own '
  + 'timing):', '', '| change | count | median ms | max ms |', '|---|---:|---:|---:|',
  `| another view of the study (click on its thumbnail) | ${switches.view.length} | ${median(switches.view).toFixed(1)} | ${Math.max(...switches.view).toFixed(1)} |`,
  `| the next study (label key) | ${switches.study.length} | ${median(switches.study).toFixed(1)} | ${Math.max(...switches.study).toFixed(1)} |`,
  '', `The first study after the page loaded: ${switches.first.toFixed(0)} ms. Target: image changes under 100 ms.`);
await browser.close();
if (process.env.BENCH_DIST) {
  const rows = bundle(process.env.BENCH_DIST);
  const total = rows.reduce((a, r) => a + r[1], 0);
  const totalGz = rows.reduce((a, r) => a + r[2], 0);
  out.push('', `Bundle (dist/assets): ${(total / 1024).toFixed(1)} KiB, ${(totalGz / 1024).toFixed(1)} KiB gzipped; a `
    + 'page loads the shell, its own module and, for charts, Chart.js:', '', '| file | KiB | KiB gzipped |',
    '|---|---:|---:|', ...rows.map(([f, s, g]) => `| ${f} | ${(s / 1024).toFixed(1)} | ${(g / 1024).toFixed(1)} |`));
}
const text = out.join('\n');
console.log(text);
if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, `${text}\n`);
