// Shared harness of the browser tests: Debian's Chromium driven by playwright-core against a real RadLab server.
// A scenario is a script that calls `scenario(name, async (t) => { ... })`. It reads from the environment:
//   RADLAB_URL     the server, e.g. http://127.0.0.1:7070
//   RADLAB_TOKEN   the token the browser signs in with
//   RADLAB_ADMIN   an admin token, for checks through the API (defaults to RADLAB_TOKEN)
//   RADLAB_SHOTS   where screenshots go (default ./screenshots)
//   RADLAB_E2E     JSON with the ids the scenario works on (dataset, use case, models...)
// It exits 0 when every check passed and the browser reported no Content-Security-Policy violation. On a failure it prints the error, the browser console and the failed
// requests, saves a screenshot, and exits 1.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const BASE = process.env.RADLAB_URL || 'http://127.0.0.1:7070';
export const TOKEN = process.env.RADLAB_TOKEN;
export const ADMIN = process.env.RADLAB_ADMIN || TOKEN;
export const SHOTS = process.env.RADLAB_SHOTS || 'screenshots';
export const INPUT = JSON.parse(process.env.RADLAB_E2E || '{}');
const CHROMIUM = process.env.RADLAB_CHROMIUM || '/usr/bin/chromium';

/** A plain API call from the test (not the page), to set things up or to check what the page shows. */
export async function api(path, { method = 'GET', body, token = ADMIN, type } = {}) {
  const headers = { Authorization: `Bearer ${token}` };
  let payload;
  if (body !== undefined) {
    headers['Content-Type'] = type || 'application/json';
    payload = type ? body : JSON.stringify(body);
  }
  const res = await fetch(`${BASE}/api${path}`, { method, headers, body: payload });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text && (res.headers.get('content-type') || '').includes('json') ? JSON.parse(text) : text;
}

/** Fails the scenario with a message when `ok` is false. */
export function check(ok, message) {
  if (!ok) throw new Error(`check failed: ${message}`);
}

export function checkEqual(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`check failed: ${what}: expected ${e}, got ${a}`);
}

/** Thrown inside an `until` poll to give up at once (for example when a job ended and will never get there). */
export class Stop extends Error {}

/**
 * Polls `fn` until it returns a truthy value (or throws after `timeout` ms, naming `what`). Errors count as "not
 * yet", except a Stop, which ends the wait at once.
 */
export async function until(fn, what, { timeout = 60000, every = 250 } = {}) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      if (e instanceof Stop) throw e;
      last = e;
    }
    await new Promise((r) => setTimeout(r, every));
  }
  throw new Error(`timed out after ${timeout} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}

/** Launches Chromium headless; playwright gives every launch a fresh, temporary profile. */
export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * Runs one scenario: a browser, a page signed in with RADLAB_TOKEN, console and failed-request capture, and
 * screenshots. `t` holds {page, browser, shot(name), goto(path), signIn(token), console, api, input}.
 */
export async function scenario(name, body) {
  mkdirSync(SHOTS, { recursive: true });
  const started = Date.now();
  const browser = await launch();
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const consoleLines = [];
  page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
  page.on('requestfailed', (r) => consoleLines.push(`[requestfailed] ${r.method()} ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => {
    if (r.status() >= 500) consoleLines.push(`[http ${r.status()}] ${r.request().method()} ${r.url()}`);
  });
  let shots = 0;
  const t = {
    page,
    browser,
    input: INPUT,
    api,
    console: consoleLines,
    async shot(label) {
      shots += 1;
      // A full-page screenshot resizes the viewport, and Chromium then scrolls a focused input back into view,
      // which would move the page under the test's next click: drop the focus first.
      await page.evaluate(() => document.activeElement && document.activeElement.blur && document.activeElement.blur());
      const file = join(SHOTS, `${name}-${String(shots).padStart(2, '0')}-${label}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    async goto(path) {
      await page.goto(`${BASE}${path}`);
    },
    /** Signs in through the sign-in form, as a person would. */
    async signIn(token = TOKEN) {
      await page.goto(`${BASE}/signin`);
      await page.fill('#token', token);
      await page.click('button:has-text("Sign in")');
      await page.waitForSelector('.topbar');
    },
  };
  try {
    await body(t);
    // The pages must run under the server's Content-Security-Policy: a violation is a failure.
    const violations = consoleLines.filter((l) => /Content Security Policy/i.test(l));
    check(violations.length === 0, `no Content-Security-Policy violations, got:\n${violations.join('\n')}`);
    console.log(`${name}: passed in ${((Date.now() - started) / 1000).toFixed(1)} s, ${shots} screenshots in ${SHOTS}`);
    await browser.close();
    process.exit(0);
  } catch (e) {
    console.error(`${name}: FAILED: ${e.stack || e}`);
    try {
      console.error(`screenshot: ${await t.shot('failure')}`);
    } catch (s) {
      console.error(`(no screenshot: ${s.message})`);
    }
    console.error(`browser console (${consoleLines.length} lines):`);
    consoleLines.forEach((l) => console.error(`  ${l}`));
    await browser.close().catch(() => {});
    process.exit(1);
  }
}
