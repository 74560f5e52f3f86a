// The `test` every journey uses: Playwright's, plus
//   - `stack`: the running system (URLs, OAuth clients, database URL) from the global setup;
//   - `page`: tracked for axe coverage, watched for uncaught script errors and for what the
//     service's Content-Security-Policy blocks, and photographed into artifacts/screenshots/ at the end;
//   - `newPage()`: a second person in a browser of their own (a fresh context), tracked alike.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { test as base, expect } from '@playwright/test';
import { track, uncheckedPages } from './a11y.js';
import { ARTIFACTS, currentStack } from './stack.js';

const SCREENSHOTS = path.join(ARTIFACTS, 'screenshots');

/** "5. Search & Link: …" → "journey-05-search-link-…" ("20b. …" → "journey-20b-…") */
const slug = (title) => {
  const [, number, rest] = /^(\d+[a-z]?)\.\s*(.*)$/.exec(title) ?? [null, '', title];
  const words = rest.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60).replace(/-$/, '');
  return number ? `journey-${number.padStart(2, '0')}-${words}` : words;
};

const pageErrors = new WeakMap();

/**
 * Notes uncaught exceptions in the page's scripts, and anything the service's
 * Content-Security-Policy blocked on its own pages (Chromium reports each in the console): a
 * journey with any fails.
 */
function watchErrors(page) {
  const errors = [];
  pageErrors.set(page, errors);
  page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error' || !/Content Security Policy/i.test(message.text())) return;
    const url = message.location().url || page.url();
    if (url.startsWith(currentStack().appUrl)) errors.push(`${url}: ${message.text()}`);
  });
}

/**
 * A screenshot in the middle of a journey, next to the one taken at its end:
 * `artifacts/screenshots/journey-NN-…-<suffix>.png`. With `element`, only that element.
 */
export async function screenshot(page, testInfo, suffix, element) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${slug(testInfo.title)}-${suffix}.png`);
  await (element ? element.screenshot({ path: file }) : page.screenshot({ path: file, fullPage: true }));
}

async function finish(page, testInfo, suffix = '') {
  if (page.isClosed()) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${slug(testInfo.title)}${suffix}.png`);
  await page.screenshot({ path: file, fullPage: true }).catch(() => {});
  // Only a journey that passed is judged on coverage: a failed one already says what went wrong.
  if (testInfo.status === testInfo.expectedStatus) {
    expect(uncheckedPages(page), 'pages visited without an axe check (call expectAccessible on each)').toEqual([]);
    expect(pageErrors.get(page) ?? [], 'uncaught errors in the page\'s scripts, or CSP violations').toEqual([]);
  }
}

export const test = base.extend({
  // eslint-disable-next-line no-empty-pattern
  stack: [async ({}, use) => use(currentStack()), { scope: 'worker' }],

  baseURL: async ({ stack }, use) => use(stack.appUrl),

  page: async ({ page }, use, testInfo) => {
    track(page);
    watchErrors(page);
    await use(page);
    await finish(page, testInfo);
  },

  newPage: async ({ browser, baseURL }, use, testInfo) => {
    const opened = [];
    await use(async () => {
      const context = await browser.newContext({ baseURL });
      const page = await context.newPage();
      track(page);
      watchErrors(page);
      opened.push({ context, page });
      return page;
    });
    for (const [i, { context, page }] of opened.entries()) {
      await finish(page, testInfo, `-person-${i + 2}`);
      await context.close();
    }
  },
});

export { expect };
