// `BENCH_ONLY=lcp make bench`: the settings page's Largest Contentful Paint in Debian's Chromium,
// against a release build (a benchmark, not a test: it exits non-zero only on wrong answers, a
// page that did not render or a navigation without an LCP entry, never on a missed target).
//
// The stack is the journeys' (support/stack.js: two `profiles serve --no-worker` and two
// `profiles worker` behind haproxy, the stand-ins, a fresh database), with PROFILES_BIN the
// release binary. One person signs in with ORCID through the real flow (the ORCID stand-in's
// login page), enables Search & Link and adds three DOIs, which the workers push to the ORCID
// double. Then `/settings` (Your account, where a sign-in lands) is loaded again and again, each
// time in a new page, and its last `largest-contentful-paint` entry read once the network is idle:
//   - warm: new pages of one signed-in context (the HTTP cache holds the hashed assets), BENCH_LCP_RUNS
//     runs (default 10), at 1280×800 and at 390×844 (a phone: device scale 3, touch, mobile);
//   - cold: a fresh context per run with the same cookies and the cache disabled (new connections,
//     every asset fetched), BENCH_LCP_COLD_RUNS runs (default half as many, at least 3), both sizes.
// The baseline, measured in the same way in each run right after the settings page: the LCP of the
// smallest page the same server renders itself, the OpenID Provider's "Sign-in problem" page for an
// unknown client (`GET /oauth/authorize?client_id=…`: one database lookup, inline style, no script,
// no other request). Loopback, no network or CPU throttling.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, expect } from '@playwright/test';
import config from '../playwright.config.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// stack.js reads PROFILES_BIN when it is loaded: a release binary unless told otherwise.
process.env.PROFILES_BIN ??= path.join(ROOT, 'target/release/profiles');
const { startStack, stackEnv } = await import('../support/stack.js');
const { apiFromPage, addWithSearchAndLink, enablePermission, registerDoi, signInWithOrcid } = await import('../support/flows.js');
const { randomOrcid } = await import('../support/doubles.js');

const TARGET_MS = 1000;
const CLAIMS = 3;
const positive = (name, fallback) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number ≥ 1`);
  return value;
};
const RUNS = positive('BENCH_LCP_RUNS', 10);
const COLD_RUNS = positive('BENCH_LCP_COLD_RUNS', Math.max(3, Math.ceil(RUNS / 2)));

const DESKTOP = { viewport: { width: 1280, height: 800 } };
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true };
const SETTINGS = '/settings';
const BASELINE = '/oauth/authorize?client_id=pc_lcp_baseline&response_type=code';

/** A wrong answer: the run stops and the bench exits non-zero. */
class WrongAnswer extends Error {}

/** Nearest-rank percentile of `values` (sorted here). */
function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

/**
 * In the page, once it is idle: the last LCP entry (buffered), first contentful paint, the
 * navigation's timings and every request the page made, all in ms from navigation start.
 */
function readPaints(page) {
  return page.evaluate(() => new Promise((resolve) => {
    const entries = [];
    const observer = new PerformanceObserver((list) => entries.push(...list.getEntries()));
    observer.observe({ type: 'largest-contentful-paint', buffered: true });
    const describe = (el) => {
      if (!el) return '(an element since removed)';
      let name = el.tagName.toLowerCase();
      if (el.id) name += `#${el.id}`;
      else if (el.classList.length) name += `.${[...el.classList].join('.')}`;
      const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ');
      return text ? `${name} "${text.length > 32 ? `${text.slice(0, 31)}…` : text}"` : name;
    };
    // The buffered entries arrive in the observer's first callback, a task after observe().
    requestAnimationFrame(() => setTimeout(() => {
      entries.push(...observer.takeRecords());
      observer.disconnect();
      const last = entries.at(-1);
      const [nav] = performance.getEntriesByType('navigation');
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      resolve({
        lcp: last ? last.startTime : null,
        element: last ? describe(last.element) : null,
        candidates: entries.length,
        fcp: fcp ? fcp.startTime : null,
        ttfb: nav ? nav.responseStart : null,
        documentEnd: nav ? nav.responseEnd : null,
        domContentLoaded: nav ? nav.domContentLoadedEventEnd : null,
        status: nav ? nav.responseStatus : null,
        requests: performance.getEntriesByType('resource').map((r) => ({
          path: new URL(r.name).pathname,
          start: r.startTime,
          end: r.responseEnd,
          bytes: r.transferSize,
          cached: r.transferSize === 0 && r.decodedBodySize > 0,
        })),
      });
    }, 50));
  }));
}

/**
 * Loads `url` in `page`, checks it shows what it should (a wrong answer otherwise), waits for the
 * network to go idle and reads the paints.
 */
async function measure(page, url, rendered, what) {
  await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
  try {
    await rendered(page);
  } catch (err) {
    throw new WrongAnswer(`${what}: the page did not render as expected: ${err.message.split('\n')[0]}`);
  }
  // Idle: no request for 500 ms (nothing on these pages polls).
  await page.waitForLoadState('networkidle', { timeout: 30_000 });
  const paints = await readPaints(page);
  if (paints.lcp == null) throw new WrongAnswer(`${what}: no largest-contentful-paint entry`);
  return paints;
}

/** The settings page rendered for this person: their account card, not "Please sign in". */
const settingsRendered = (orcid) => async (page) => {
  await expect(page.getByRole('heading', { level: 2, name: 'Your account' })).toBeVisible({ timeout: 15_000 });
  await expect(page.locator('.lead').first()).toContainText(orcid, { timeout: 5_000 });
};
const baselineRendered = async (page) => {
  await expect(page.getByRole('heading', { level: 1, name: 'Sign-in problem' })).toBeVisible({ timeout: 15_000 });
};

/** A context for the app, with the suite's timeouts. */
async function newContext(browser, appUrl, device, storageState) {
  const context = await browser.newContext({ baseURL: appUrl, ...device, ...(storageState ? { storageState } : {}) });
  context.setDefaultTimeout(config.use.actionTimeout);
  context.setDefaultNavigationTimeout(30_000);
  return context;
}

/** A page whose HTTP cache is off (Chrome DevTools' "Disable cache"). */
async function uncachedPage(context) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  return page;
}

/**
 * Warm: one context (`context`, or a new one with the person's cookies), a first load that is not
 * counted, then `runs` loads each in a new page.
 */
async function warmCase({ browser, appUrl, storageState, device, runs, rendered, context: given }) {
  const context = given ?? await newContext(browser, appUrl, device, storageState);
  const first = await context.newPage();
  await measure(first, SETTINGS, rendered, 'warm-up');
  await first.close();
  const result = { settings: [], baseline: [] };
  for (let i = 0; i < runs; i += 1) {
    for (const [key, url, check] of [['settings', SETTINGS, rendered], ['baseline', BASELINE, baselineRendered]]) {
      const page = await context.newPage();
      result[key].push(await measure(page, url, check, `${key} (warm, run ${i + 1})`));
      await page.close();
    }
  }
  if (!given) await context.close();
  return result;
}

/** Cold: every load in a context of its own, the person's cookies, the cache off. */
async function coldCase({ browser, appUrl, storageState, device, runs, rendered }) {
  const result = { settings: [], baseline: [] };
  for (let i = 0; i < runs; i += 1) {
    for (const [key, url, check] of [['settings', SETTINGS, rendered], ['baseline', BASELINE, baselineRendered]]) {
      const context = await newContext(browser, appUrl, device, storageState);
      const page = await uncachedPage(context);
      result[key].push(await measure(page, url, check, `${key} (cold, run ${i + 1})`));
      await context.close();
    }
  }
  return result;
}

/** The person: signed in with ORCID, Search & Link enabled, CLAIMS works in their record. */
async function seedPerson(page, orcid) {
  await signInWithOrcid(page, orcid);
  await enablePermission(page, 'Search & Link', orcid);
  for (let i = 1; i <= CLAIMS; i += 1) {
    await addWithSearchAndLink(page, await registerDoi([orcid], `LCP bench ${i}`));
  }
  await expect.poll(async () => {
    const stats = await apiFromPage(page, 'GET', '/api/v1/accounts/me/claims/stats');
    return stats.status === 200 ? stats.body.states.done : `HTTP ${stats.status}`;
  }, { message: `the ${CLAIMS} claims reach the ORCID double`, timeout: 60_000 }).toBe(CLAIMS);
}

const ms = (v) => (v == null ? '–' : `${Math.round(v)} ms`);
const ratio = (v) => v.toFixed(2);
const mostCommon = (values) => {
  const counts = new Map();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const [best, n] = [...counts].sort((a, b) => b[1] - a[1])[0];
  return n === values.length ? best : `${best} (${n} of ${values.length})`;
};
const line = (label, value) => console.log(`  ${label.padEnd(44)} ${value}`);

/** The requests of the run whose LCP is the case's median, as a waterfall. */
function waterfall(name, runs) {
  const sorted = [...runs].sort((a, b) => a.lcp - b.lcp);
  const run = sorted[Math.floor((sorted.length - 1) / 2)];
  console.log(`  ${name}: the median run (LCP ${ms(run.lcp)}), in ms from navigation start`);
  console.log(`    ${'document /settings'.padEnd(52)} ${ms(0).padStart(7)} → ${ms(run.documentEnd).padStart(7)}  (first byte ${ms(run.ttfb)})`);
  for (const r of [...run.requests].sort((a, b) => a.start - b.start)) {
    const size = r.cached ? 'cache' : `${(r.bytes / 1024).toFixed(1)} kB`;
    console.log(`    ${r.path.padEnd(52)} ${ms(r.start).padStart(7)} → ${ms(r.end).padStart(7)}  (${size})`);
  }
  console.log(`    ${'DOMContentLoaded'.padEnd(52)} ${ms(run.domContentLoaded).padStart(17)}`);
  console.log(`    ${'first contentful paint'.padEnd(52)} ${ms(run.fcp).padStart(17)}`);
  console.log(`    ${`largest contentful paint (${run.candidates} candidates)`.padEnd(52)} ${ms(run.lcp).padStart(17)}`);
}

async function main() {
  if (!existsSync(process.env.PROFILES_BIN)) throw new WrongAnswer(`no server binary at ${process.env.PROFILES_BIN} (cargo build --release)`);
  if (!existsSync(path.join(ROOT, 'web-ui/dist/index.html'))) throw new WrongAnswer('web-ui/dist is not built (cd web-ui && npm run build)');
  const started = Date.now();
  const stack = await startStack();
  let browser;
  let stopping;
  const stopAll = () => {
    stopping ??= (async () => {
      await browser?.close().catch(() => {});
      await stack.stop();
    })();
    return stopping;
  };
  // Ctrl-C stops the stack too and drops its database (Playwright's own handlers, which would
  // exit at once, are off).
  const interrupted = (signal) => {
    console.error(`bench lcp: ${signal}, stopping the stack`);
    stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  Object.assign(process.env, stackEnv(stack));
  try {
    browser = await chromium.launch({
      headless: true, ...config.use.launchOptions, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
    });
    const orcid = randomOrcid();
    const rendered = settingsRendered(orcid);

    // Signed in through the real flow, in the desktop context the warm desktop runs then use.
    const desktop = await newContext(browser, stack.appUrl, DESKTOP);
    const signIn = await desktop.newPage();
    await seedPerson(signIn, orcid);
    const storageState = await desktop.storageState();
    await signIn.close();
    const setUp = (Date.now() - started) / 1000;

    const cases = [
      ['warm, 1280×800', RUNS, () => warmCase({ browser, appUrl: stack.appUrl, device: DESKTOP, runs: RUNS, rendered, context: desktop })],
      ['warm, 390×844 (phone)', RUNS, () => warmCase({ browser, appUrl: stack.appUrl, storageState, device: PHONE, runs: RUNS, rendered })],
      ['cold, 1280×800', COLD_RUNS, () => coldCase({ browser, appUrl: stack.appUrl, storageState, device: DESKTOP, runs: COLD_RUNS, rendered })],
      ['cold, 390×844 (phone)', COLD_RUNS, () => coldCase({ browser, appUrl: stack.appUrl, storageState, device: PHONE, runs: COLD_RUNS, rendered })],
    ];
    const results = [];
    for (const [name, runs, run] of cases) results.push({ name, runs, ...(await run()) });
    await desktop.close();

    console.log(`Settings page LCP benchmark (Chromium ${browser.version()}, release build, ${path.relative(ROOT, process.env.PROFILES_BIN)})`);
    line('page', `${SETTINGS} (Your account), signed in with ORCID, Search & Link on, ${CLAIMS} claims done`);
    line('stack', `${stack.backendUrls.length} serves + ${stack.pids.workers.length} workers behind haproxy, loopback, no throttling`);
    line('baseline', 'the "Sign-in problem" page (GET /oauth/authorize, unknown client): server-rendered, no script');
    line('runs', `warm ${RUNS} (new page, same context), cold ${COLD_RUNS} (new context, cache off)`);
    line('set-up (stack, sign-in, claims)', `${setUp.toFixed(1)} s`);
    console.log();
    console.log('| case | runs | LCP p50 | LCP p90 | p50 ÷ 1 s | p90 ÷ 1 s | baseline p50 | p50 ÷ baseline | FCP p50 | LCP element | met (p90 < 1 s) |');
    console.log('|---|---|---|---|---|---|---|---|---|---|---|');
    for (const r of results) {
      const lcps = r.settings.map((p) => p.lcp);
      const p50 = percentile(lcps, 0.5);
      const p90 = percentile(lcps, 0.9);
      const base = percentile(r.baseline.map((p) => p.lcp), 0.5);
      const fcp = percentile(r.settings.map((p) => p.fcp ?? p.lcp), 0.5);
      console.log(`| ${r.name} | ${r.runs} | ${ms(p50)} | ${ms(p90)} | ${ratio(p50 / TARGET_MS)} | ${ratio(p90 / TARGET_MS)} | ${ms(base)} | ${ratio(p50 / base)} | ${ms(fcp)} | \`${mostCommon(r.settings.map((p) => p.element))}\` | ${p90 < TARGET_MS ? 'yes' : 'no'} |`);
    }
    console.log();
    line('baseline LCP element', `\`${mostCommon(results.flatMap((r) => r.baseline.map((p) => p.element)))}\``);
    for (const r of results) {
      // Whether the LCP had to wait for the person's account (the app renders it from GET /accounts/me).
      const gated = r.settings.filter((p) => {
        const me = p.requests.find((q) => q.path === '/api/v1/accounts/me');
        return me && p.lcp >= me.end;
      }).length;
      line(`${r.name}: each run`, `${r.settings.map((p) => Math.round(p.lcp)).join(', ')} ms (baseline ${r.baseline.map((p) => Math.round(p.lcp)).join(', ')})`);
      line(`${r.name}: gated by /accounts/me`, `${gated} of ${r.settings.length} runs (LCP after its answer)`);
    }
    for (const r of results) waterfall(r.name, r.settings);
  } finally {
    await stopAll();
  }
}

try {
  await main();
} catch (err) {
  console.error(`bench lcp: ${err instanceof WrongAnswer ? `wrong answer: ${err.message}` : `error: ${err.stack ?? err}`}`);
  process.exitCode = 1;
}
