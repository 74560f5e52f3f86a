// axe-core in the real browser, on every page a journey visits.
//
// `track(page)` notes every document the page shows (full loads and client-side route changes);
// `expectAccessible(page)` runs axe on what is on screen now and fails on any violation. At the
// end of each journey the fixture fails it if a page was visited but never checked, so a new step
// cannot quietly skip the check. A page counts as its origin and path: /settings/claims seen twice
// needs one check; each sign-in page of a provider (its own /interaction/<uid>) needs its own.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect } from '@playwright/test';
import { currentStack } from './stack.js';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const tracked = new WeakMap();

const pageKey = (url) => {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
};

/** Starts noting the pages `page` shows. */
export function track(page) {
  const state = { visited: new Set(), checked: new Set() };
  tracked.set(page, state);
  page.on('framenavigated', (frame) => {
    if (frame !== page.mainFrame()) return;
    const url = frame.url();
    if (url.startsWith('http')) state.visited.add(pageKey(url));
  });
  return state;
}

/** Pages `page` showed without an axe check. */
export function uncheckedPages(page) {
  const state = tracked.get(page);
  if (!state) return [];
  return [...state.visited].filter((key) => !state.checked.has(key));
}

function report(violations) {
  return violations.map((v) => `${v.id} (${v.impact ?? 'unknown'}): ${v.help} [${v.helpUrl}]\n${
    v.nodes.map((n) => `    ${n.target.join(' ')}\n      ${(n.failureSummary ?? '').replace(/\n/g, '\n      ')}`).join('\n')}`).join('\n');
}


/**
 * Known violations on the app's own pages, by path: reported, not yet fixed. Each entry switches
 * off only the rules named, only on that page; remove it once the page is fixed. None today: the
 * last one, Swagger UI at /api/docs/, was replaced by the web UI's own API reference.
 */
const KNOWN_ISSUES = {};

function rulesFor(url) {
  const u = new URL(url);
  // The providers' pages are the stand-ins' (e2e/stand-ins): they get every rule too.
  if (u.origin !== new URL(currentStack().appUrl).origin) return {};
  return Object.fromEntries((KNOWN_ISSUES[u.pathname] ?? []).map((id) => [id, { enabled: false }]));
}

/**
 * Runs axe (all of its default rules, colour contrast included: this is a real browser with real
 * layout) on the current document and fails with a readable list of violations.
 */
export async function expectAccessible(page) {
  // Let a client-side route change and its data settle first.
  await page.waitForLoadState('load');
  const hasAxe = await page.evaluate(() => typeof window.axe !== 'undefined');
  // page.evaluate is not subject to the page's Content-Security-Policy, unlike a script tag.
  if (!hasAxe) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async (rules) => {
    const results = await window.axe.run(document, { resultTypes: ['violations'], rules });
    return results.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target.map(String), failureSummary: n.failureSummary })),
    }));
  }, rulesFor(page.url()));
  const url = page.url();
  expect(violations, `axe: ${violations.length} accessibility violation(s) on ${url}\n${report(violations)}`).toEqual([]);
  tracked.get(page)?.checked.add(pageKey(url));
}
