// What a person does, step by step, in the browser: sign in at the providers' own pages, grant
// ORCID permissions, add and watch claims. Each step checks the page it lands on with axe.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { expect } from '@playwright/test';
import { expectAccessible } from './a11y.js';
import { datacite, randomDoi } from './doubles.js';
import { ROOT, SERVER_BIN, currentStack } from './stack.js';

const origin = (url) => new URL(url).origin;
const appOrigin = () => origin(currentStack().appUrl);

/**
 * Checks that `button` submits a POST form to `action` (a browser flow our own page starts, which
 * the server refuses when another site starts it), before a journey clicks it.
 */
export async function expectFlowForm(button, action) {
  const form = button.locator('xpath=ancestor::form[1]');
  await expect(form).toHaveAttribute('method', 'post');
  await expect(form).toHaveAttribute('action', action);
}

/** Waits until the browser is back on the app at `pathname`. */
export async function backAt(page, pathname) {
  await page.waitForURL((u) => u.origin === appOrigin() && u.pathname === pathname);
}

/**
 * Fills a provider's sign-in page (the oidc-provider playing ORCID or Google): it must be the page
 * on screen now.
 */
export async function signInAtProvider(page, which, login) {
  const label = which === 'orcid' ? 'ORCID iD' : 'Email or username';
  await page.waitForURL((u) => u.origin === origin(currentStack().urls[which]) && u.pathname.startsWith('/interaction/'));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Sign in to ${which === 'orcid' ? 'ORCID' : 'Google'}`);
  await expectAccessible(page);
  await page.getByLabel(label).fill(login);
  await page.getByLabel('Password').fill('not checked');
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * Clicks something that starts a trip through ORCID (or Google), then signs in there if the
 * provider asks: it does not while its own session in this browser lives, as on orcid.org.
 */
export async function throughProvider(page, which, login, click) {
  const loaded = page.waitForEvent('load');
  await click();
  await loaded;
  if (origin(page.url()) === origin(currentStack().urls[which])) await signInAtProvider(page, which, login);
}

/** Authorizes the app on the GitHub stand-in's page, which GitHub shows on every trip. */
export async function authorizeAtGithub(page, login) {
  await page.waitForURL((u) => u.origin === origin(currentStack().urls.github) && u.pathname === '/login/oauth/authorize');
  await expectAccessible(page);
  await page.getByLabel('Username').fill(login);
  await page.getByRole('button', { name: 'Authorize' }).click();
}

/** A new person signs in with ORCID from the sign-in page and lands on Settings. */
export async function signInWithOrcid(page, orcid) {
  await page.goto('/sign-in?return_to=/settings');
  await expectAccessible(page);
  await page.getByRole('link', { name: 'Sign in with ORCID' }).click();
  await signInAtProvider(page, 'orcid', orcid);
  await backAt(page, '/settings');
  await expect(page.getByRole('heading', { level: 1, name: 'Personal settings' })).toBeVisible();
  await expect(page.locator('.lead').first()).toContainText(orcid);
  await expectAccessible(page);
}

/** The person's display name for an iD the ORCID stand-in does not know by name. */
export const testResearcher = (orcid) => `Test Researcher ${orcid}`;

/** Signs out from the user menu; the app shows the sign-in page. */
export async function signOut(page, name) {
  await page.getByRole('button', { name }).click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await backAt(page, '/sign-in');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
}

/** One row of Settings → Social login, found by its provider heading. */
export const socialRow = (page, provider) => page.getByRole('listitem')
  .filter({ has: page.getByRole('heading', { level: 3, name: provider, exact: true }) });

/** Settings → Social login, from the Settings navigation. */
export async function openSocialLogin(page) {
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Social login' }).click();
  await backAt(page, '/settings/social');
  await expect(page.getByRole('heading', { level: 2, name: 'Social login' })).toBeVisible();
  await expect(socialRow(page, 'ORCID')).toBeVisible();
}

/** `fetch` from inside the page: same origin, the session cookie, as the SPA itself calls the API. */
export async function apiFromPage(page, method, path, body) {
  return page.evaluate(async ({ method, path, body }) => {
    const res = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: res.status, body: json };
  }, { method, path, body });
}

// ── ORCID claims ─────────────────────────────────────────────────────────────────────────────────
// Four pages: the overview (/settings/claims: the two permissions, "Check my ORCID record" and the
// claim summary), the Search & Link page (/settings/claims/search: DOIs in DataCite with "Add to
// ORCID record"), the list of claims (/settings/claims/list, with "Check my ORCID record" too) and
// the activity in the record (/settings/claims/activity). On the search page and the list, a
// claim's row shows its live state, its reason (ORCID's refusal, why it waits) and the one action
// that helps: "Try again" (with "Dismiss" beside it for a failed addition), "Enable Search & Link"
// / "Enable Auto-Update" (a form post to the grant), "Remove from ORCID record" or "Add again" (on
// the list for a removed claim, on both for a dismissed one or one removed on orcid.org).

export const CLAIMS = {
  overview: '/settings/claims',
  search: '/settings/claims/search',
  list: '/settings/claims/list',
  activity: '/settings/claims/activity',
  autoUpdate: '/settings/claims/auto-update',
  review: '/settings/claims/auto-update/review',
};

export const region = (page, name) => page.getByRole('region', { name, exact: true });

/** The box of one ORCID permission on the overview: "Search & Link" or "Auto-Update". */
export const permissionBox = (page, title) => region(page, title);

/** The count card of one claim source in the Claim summary: "ORCID Search & Link" or "ORCID Auto-Update". */
export const sourceCard = (page, label) => region(page, 'Claim summary').getByRole('region', { name: label, exact: true });

/** The "N in your record" line of a source card. */
export const inRecordLine = (page, label) => sourceCard(page, label).getByRole('listitem').filter({ hasText: 'in your record' });

/** The row of a claim on the list of claims. */
export const claimRow = (page, doi) => region(page, 'Your claims').getByRole('listitem').filter({ hasText: doi });

/** The row of a DOI on the Search & Link page. */
export const doiRow = (page, doi) => region(page, 'Your DOIs in DataCite').getByRole('listitem').filter({ hasText: doi });

async function openPage(page, path, ready) {
  if (new URL(page.url()).pathname !== path) await page.goto(path);
  await expect(ready).toBeVisible();
}

export const openClaims = (page) => openPage(page, CLAIMS.overview, permissionBox(page, 'Search & Link'));
export const openSearch = (page) => openPage(page, CLAIMS.search, region(page, 'Your DOIs in DataCite'));
export const openClaimList = (page) => openPage(page, CLAIMS.list, region(page, 'Your claims'));

/**
 * Grants "Search & Link" or "Auto-Update" at ORCID from the overview; back there it shows as enabled.
 * The Enable button is a same-origin form post to `/auth/orcid/grant`, never a link.
 */
export async function enablePermission(page, title, orcid, { again = false } = {}) {
  await openClaims(page);
  const box = permissionBox(page, title);
  const enable = box.getByRole('button', { name: again ? `Enable ${title} again` : `Enable ${title}`, exact: true });
  await expectFlowForm(enable, '/auth/orcid/grant');
  await throughProvider(page, 'orcid', orcid, () => enable.click());
  await backAt(page, CLAIMS.overview);
  await expect(box.getByText('Enabled', { exact: true })).toBeVisible();
  await expect(box.getByRole('button', { name: `Disable ${title}` })).toBeVisible();
  await expectAccessible(page);
}

/** On the Search & Link page: "Search DataCite" for `word`; the row of `doi` is listed. */
export async function searchDataCite(page, { doi, word }) {
  await openSearch(page);
  const dois = region(page, 'Your DOIs in DataCite');
  await dois.getByRole('searchbox', { name: 'Search DataCite' }).fill(word);
  await dois.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(doiRow(page, doi)).toBeVisible();
}

/**
 * The Search & Link page's live region (and the list's): empty, and so hidden, most of the time,
 * which `getByRole` alone would not find.
 */
export const statusLine = (page, name) => region(page, name).getByRole('status', { includeHidden: true });

/** Every state word a claim's row can show to its person. */
export const CLAIM_STATE_WORDS = /^(Queued|In progress|In your ORCID record|Waiting for your permission|Waiting for your approval|Failed|Skipped|Dismissed|Being removed|Removed|Removed on orcid\.org)$/;

/**
 * On the Search & Link page: finds a DOI with "Search DataCite" and chooses "Add to ORCID record";
 * the row then shows the claim's state instead of the button.
 */
export async function addWithSearchAndLink(page, { doi, word }) {
  await searchDataCite(page, { doi, word });
  await expectAccessible(page);
  const row = doiRow(page, doi);
  await row.getByRole('button', { name: 'Add to ORCID record' }).click();
  await expect(row.getByRole('button', { name: 'Add to ORCID record' })).toHaveCount(0);
  await expect(row.getByText(CLAIM_STATE_WORDS)).toBeVisible();
}

/**
 * Reloads the page until `check` passes (give its assertions a short timeout): the worker finishes
 * in the background, and not every state change is polled for, so this is what a person waiting
 * for it would do.
 */
export async function reloadUntil(page, check, timeout = 20_000) {
  await expect(async () => {
    await page.reload();
    await check();
  }).toPass({ timeout, intervals: [250, 500, 1000] });
}

/** A short timeout for the assertions inside `reloadUntil`. */
export const QUICK = { timeout: 1_000 };

/** A DOI naming `orcids` as creators, registered in the DataCite double, with a word to search for. */
export async function registerDoi(orcids, label, { resourceTypeGeneral } = {}) {
  const word = `e2e${randomBytes(5).toString('hex')}`;
  const doi = randomDoi(label.toLowerCase().replace(/[^a-z0-9]+/g, '-'));
  const title = `${label} survey ${word}`;
  await datacite.addDoi({ doi, title, orcids, ...(resourceTypeGeneral ? { resourceTypeGeneral } : {}) });
  return { doi, title, word };
}

/** On the list of claims: the claim reaches "In your ORCID record", from `source`, with its date. */
export async function expectDone(page, doi, source) {
  await openClaimList(page);
  await reloadUntil(page, async () => {
    await expect(claimRow(page, doi).getByText('In your ORCID record', { exact: true })).toBeVisible(QUICK);
  });
  await expect(claimRow(page, doi)).toContainText(source);
  await expect(claimRow(page, doi)).toContainText('added on');
}

/** Polls the ORCID double until `predicate(works)` holds for the works carrying `doi`. */
export async function waitForOrcidRecord(orcidApi, orcid, doi, predicate, message, timeout = 20_000) {
  await expect.poll(async () => predicate(await orcidApi.worksFor(orcid, doi)), { message, timeout }).toBe(true);
}

/**
 * Waits until Profiles has read the person's ORCID record (`orcid_checked_at` in
 * `GET /api/v1/accounts/me`): granting Search & Link (or Auto-Update) starts that reading as a
 * background job.
 */
export async function waitForRecordRead(page, timeout = 20_000) {
  await expect.poll(async () => {
    const me = await apiFromPage(page, 'GET', '/api/v1/accounts/me');
    return me.status === 200 && me.body.orcid_checked_at != null;
  }, { message: 'Profiles reads the ORCID record after the grant', timeout }).toBe(true);
}

/**
 * "Check my ORCID record" (on the overview or the list of claims): Profiles reads the record now,
 * and the box says what it found in its live region; resolves with that sentence.
 */
export async function checkOrcidRecord(page) {
  const box = region(page, 'Your ORCID record');
  await box.getByRole('button', { name: 'Check my ORCID record' }).click();
  const summary = box.getByRole('status');
  await expect(summary).toHaveText(/^Your ORCID record holds /);
  return summary.textContent();
}

// ── Outside the browser: the operator's CLI and the DOI event feed ─────────────────────────────

/** Runs the operator's `profiles` command against the suite's database; resolves with its stdout. */
function profilesCli(args) {
  return new Promise((resolve, reject) => {
    execFile(SERVER_BIN, args, {
      cwd: ROOT,
      env: { ...process.env, ...currentStack().serverEnv, RUST_LOG: 'warn' },
      timeout: 30_000,
    }, (err, out, errOut) => (err ? reject(new Error(`profiles ${args.join(' ')} failed: ${err.message}\n${errOut}`)) : resolve(out)));
  });
}

/**
 * Makes the sessions of `orcid`'s account look signed in `minutes` ago, so that guarded actions ask
 * for a recent sign-in without the journey waiting for it. Sets both the session's start and, where
 * the schema has it, `authenticated_at` (when the person last entered their credentials at the
 * provider), whichever the server goes by.
 */
export function ageSignIn(orcid, minutes) {
  const ago = `now() - interval '${Number(minutes)} minutes'`;
  const account = `(SELECT id FROM accounts WHERE orcid = '${orcid.replace(/[^0-9X-]/g, '')}')`;
  const sql = `DO $$ BEGIN
    UPDATE sessions SET created_at = ${ago} WHERE account_id = ${account};
    IF EXISTS (SELECT 1 FROM information_schema.columns
               WHERE table_name = 'sessions' AND column_name = 'authenticated_at') THEN
      EXECUTE 'UPDATE sessions SET authenticated_at = ${ago.replace(/'/g, "''")} WHERE account_id = ${account.replace(/'/g, "''")}';
    END IF;
  END $$`;
  return new Promise((resolve, reject) => {
    execFile('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', currentStack().dbUrl, '-c', sql], { timeout: 30_000 },
      (err, _out, errOut) => (err ? reject(new Error(`ageing the sign-in failed: ${err.message}\n${errOut}`)) : resolve()));
  });
}

/** `profiles admin grant`: gives the account of `orcid` a role, as an operator bootstraps an admin. */
export async function grantRole(orcid, role) {
  await profilesCli(['admin', 'grant', orcid, role]);
}

/** `profiles tokens create`: an API token for the account of `orcid`, as an operator makes one. */
export async function createApiToken(orcid, scope) {
  const token = (await profilesCli(['tokens', 'create', '--orcid', orcid, '--name', 'e2e event feed', '--scope', scope])).trim();
  expect(token).toMatch(/^prf_/);
  return token;
}

/** DataCite's pipeline tells Profiles that these DOIs were registered or updated. */
export async function postDoiEvents(token, dois) {
  const res = await fetch(`${currentStack().appUrl}/api/v1/events/dois`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ events: dois.map((doi) => ({ doi, type: 'create' })) }),
  });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(202);
  expect(body.accepted).toBe(dois.length);
  return body;
}
