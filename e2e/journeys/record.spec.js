// Journeys 35–37: Profiles stays true to the person's ORCID record (issue 16). A work the person
// deletes on orcid.org is found by "Check my ORCID record" and marked "Removed on orcid.org"; a
// DataCite update does not bring it back, "Add again" does. The Activity page lists every change
// Profiles made or tried in the record, in words. A sign-out link on another site only asks.
import { expectAccessible } from '../support/a11y.js';
import { orcidApi, randomOrcid } from '../support/doubles.js';
import { expect, screenshot, test } from '../support/fixtures.js';
import {
  addWithSearchAndLink, apiFromPage, backAt, checkOrcidRecord, CLAIMS, claimRow, createApiToken, doiRow,
  enablePermission, expectDone, expectFlowForm, grantRole, openClaimList, postDoiEvents, region, registerDoi,
  searchDataCite, signInWithOrcid, testResearcher, waitForOrcidRecord,
} from '../support/flows.js';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

const hasOne = (works) => works.length === 1;

/** The day the server writes in "You removed this from your ORCID record on …" (UTC). */
const today = () => new Date().toISOString().slice(0, 10);

/** Nothing wider than the screen. */
async function expectNoSidewaysScrolling(page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `no sideways scrolling at ${page.viewportSize().width} px`).toBeLessThanOrEqual(0);
}

/** At 390 px: no sideways scrolling, axe clean, a picture of the page (and of `element`), then back to 1280. */
async function atPhoneWidth(page, testInfo, suffix, element) {
  await page.setViewportSize(PHONE);
  try {
    await expectNoSidewaysScrolling(page);
    await expectAccessible(page);
    await screenshot(page, testInfo, `${suffix}-390px`);
    if (element) await screenshot(page, testInfo, `${suffix}-row-390px`, element);
  } finally {
    await page.setViewportSize(DESKTOP);
  }
}

/**
 * The ORCID double's calls on `orcid`'s record since `since` (ms since the epoch) that change it.
 * A permission notification to their ORCID inbox (`…/notification-permission`, sent to someone a
 * DOI names without Auto-Update) is not a change to the record.
 */
async function orcidWritesSince(orcid, since) {
  const log = await orcidApi.requests();
  return log.filter((call) => call.path.includes(orcid) && call.method !== 'GET' && Date.parse(call.at) >= since
    && !call.path.includes('/notification-permission'));
}

/** Long enough for a worker (polling every 100 ms) to have pushed a claim that was still queued. */
const WORKER_GRACE_MS = 1_500;

/** The person's claim for `doi`, as the API shows it to them. */
async function claimFor(page, doi) {
  const res = await apiFromPage(page, 'GET', `/api/v1/claims?doi=${encodeURIComponent(doi)}`);
  expect(res.status).toBe(200);
  return res.body.data[0];
}

test('35. a work deleted on orcid.org: "Check my ORCID record" marks it "Removed on orcid.org", a DataCite update does not bring it back, "Add again" does', async ({ page, newPage }, testInfo) => {
  await page.setViewportSize(DESKTOP);
  const orcid = randomOrcid();
  const dataset = await registerDoi([orcid], 'Removed on orcid');
  // DataCite's event feed, to send an update of the DOI later: a staff admin's token (journey 6).
  const operatorOrcid = randomOrcid();
  const operator = await newPage();
  await signInWithOrcid(operator, operatorOrcid);
  await grantRole(operatorOrcid, 'staff_admin');
  const feed = await createApiToken(operatorOrcid, 'events:write');

  await signInWithOrcid(page, orcid);
  await enablePermission(page, 'Search & Link', orcid);
  await addWithSearchAndLink(page, dataset);
  await waitForOrcidRecord(orcidApi, orcid, dataset.doi, hasOne, 'the work reaches the record');
  await expectDone(page, dataset.doi, 'ORCID Search & Link');
  const [{ 'put-code': firstPutCode }] = await orcidApi.worksFor(orcid, dataset.doi);

  // The person deletes the work on orcid.org. Profiles does not know yet.
  await orcidApi.deleteWork(orcid, { doi: dataset.doi });
  expect(await orcidApi.worksFor(orcid, dataset.doi), 'gone from the record').toHaveLength(0);
  await page.reload();
  const row = claimRow(page, dataset.doi);
  await expect(row.getByText('In your ORCID record', { exact: true })).toBeVisible();
  await expectAccessible(page);

  // "Check my ORCID record" on the list: what it found in the polite live region, and the row
  // follows without a reload.
  const box = region(page, 'Your ORCID record');
  expect(await checkOrcidRecord(page)).toBe('Your ORCID record holds no works. 1 you removed on orcid.org is marked so.');
  await expect(row.getByText('Removed on orcid.org', { exact: true })).toBeVisible();
  await expect(row).toContainText(`You removed this from your ORCID record on ${today()}.`);
  await expect(row.getByRole('button')).toHaveText(['Add again']);
  await expect(box).toContainText('Last checked just now.');
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expectAccessible(page);
  await screenshot(page, testInfo, 'checked');
  await atPhoneWidth(page, testInfo, 'checked', row);

  // The Search & Link page says the same, and offers "Add again", not "Add to ORCID record".
  await searchDataCite(page, dataset);
  const searchRow = doiRow(page, dataset.doi);
  await expect(searchRow.getByText('Removed on orcid.org', { exact: true })).toBeVisible();
  await expect(searchRow).toContainText(`You removed this from your ORCID record on ${today()}.`);
  await expect(searchRow.getByRole('button')).toHaveText(['Add again']);
  await expectAccessible(page);
  await screenshot(page, testInfo, 'search');

  // DataCite updates the DOI (and registers another naming them, which arrives as a claim: the
  // feed was taken in). The removed one stays out of the record.
  const since = Date.now();
  const other = await registerDoi([orcid], 'Taken in');
  await postDoiEvents(feed, [dataset.doi, other.doi]);
  await expect.poll(async () => (await claimFor(page, other.doi))?.state, { message: 'the feed was taken in', timeout: 20_000 })
    .toBe('waiting_for_permission');
  await page.waitForTimeout(WORKER_GRACE_MS);
  expect((await claimFor(page, dataset.doi)).state, 'still removed on orcid.org').toBe('removed_in_orcid');
  expect(await orcidApi.worksFor(orcid, dataset.doi), 'not brought back').toHaveLength(0);
  expect(await orcidWritesSince(orcid, since), 'nothing written to the record').toEqual([]);

  // "Add again" on the list: a new work in the record, with a new put-code.
  await openClaimList(page);
  await expect(row.getByText('Removed on orcid.org', { exact: true })).toBeVisible();
  await row.getByRole('button', { name: 'Add again' }).click();
  await expect(row.getByText('In your ORCID record', { exact: true })).toBeVisible({ timeout: 20_000 });
  await expect(row).not.toContainText('You removed this');
  await waitForOrcidRecord(orcidApi, orcid, dataset.doi, hasOne, 'added again, once');
  const [{ 'put-code': againPutCode }] = await orcidApi.worksFor(orcid, dataset.doi);
  expect(againPutCode, 'a new work').not.toBe(firstPutCode);
  await expectAccessible(page);
  await screenshot(page, testInfo, 'added-again');
  await atPhoneWidth(page, testInfo, 'added-again', row);
});

/** The Activity page's entries, newest first. */
const activityEntries = (page) => page.getByRole('list', { name: 'Changes in your ORCID record, newest first' }).getByRole('listitem');

test('36. the Activity page lists what Profiles did in the ORCID record in words: added, removed on orcid.org, added again, refused; filtered by action', async ({ page }, testInfo) => {
  await page.setViewportSize(DESKTOP);
  const orcid = randomOrcid();
  const dataset = await registerDoi([orcid], 'Activity');
  const refused = await registerDoi([orcid], 'Refused');
  await signInWithOrcid(page, orcid);

  // Before anything happened: what will appear here.
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'ORCID claims' }).click();
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Activity' }).click();
  await backAt(page, CLAIMS.activity);
  await expect(page).toHaveTitle('Activity · ORCID claims · Profiles');
  await expect(page.getByRole('heading', { level: 2 })).toHaveText(['Activity']);
  await expect(page.getByText('Nothing yet.')).toBeVisible();
  await expect(page.getByRole('main')).toContainText('Each time Profiles adds a work to your ORCID record');
  await expectAccessible(page);
  await screenshot(page, testInfo, 'empty');

  // Added, deleted on orcid.org and found so, added again; then one ORCID refuses (400).
  await enablePermission(page, 'Search & Link', orcid);
  await addWithSearchAndLink(page, dataset);
  await waitForOrcidRecord(orcidApi, orcid, dataset.doi, hasOne, 'the work reaches the record');
  await expectDone(page, dataset.doi, 'ORCID Search & Link');
  const [{ 'put-code': firstPutCode }] = await orcidApi.worksFor(orcid, dataset.doi);
  await orcidApi.deleteWork(orcid, { doi: dataset.doi });
  await checkOrcidRecord(page);
  await expect(claimRow(page, dataset.doi).getByText('Removed on orcid.org', { exact: true })).toBeVisible();
  await claimRow(page, dataset.doi).getByRole('button', { name: 'Add again' }).click();
  await expect(claimRow(page, dataset.doi).getByText('In your ORCID record', { exact: true })).toBeVisible({ timeout: 20_000 });
  const [{ 'put-code': againPutCode }] = await orcidApi.worksFor(orcid, dataset.doi);
  await expectAccessible(page);
  await orcidApi.failNext({ orcid, status: 400, method: 'POST', count: 1 });
  await addWithSearchAndLink(page, refused);
  await expect(doiRow(page, refused.doi).getByText('Failed', { exact: true })).toBeVisible({ timeout: 20_000 });
  await expectAccessible(page);

  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Activity' }).click();
  await backAt(page, CLAIMS.activity);
  const entries = activityEntries(page);
  await expect(entries.locator('strong')).toHaveText([
    'Failed',
    'Added to your ORCID record',
    'Removed on orcid.org — Profiles will not add it again',
    'Added to your ORCID record',
  ]);
  const [failed, again, removed, first] = [0, 1, 2, 3].map((i) => entries.nth(i));
  await expect(failed).toContainText('ORCID refused this work: The client application sent a bad request to ORCID.');
  await expect(failed.getByRole('link', { name: refused.doi })).toHaveAttribute('href', `https://doi.org/${refused.doi}`);
  await expect(again).toContainText('WhySearch & Link');
  await expect(again).toContainText(`Put-code${againPutCode}`);
  await expect(removed).toContainText('You can add it again from your list of claims.');
  await expect(removed).toContainText('WhyChecking your ORCID record');
  await expect(removed).toContainText(`Put-code${firstPutCode}`);
  await expect(first).toContainText('WhySearch & Link');
  await expect(first).toContainText(`Put-code${firstPutCode}`);
  await expect(first.getByRole('link', { name: dataset.doi })).toHaveAttribute('href', `https://doi.org/${dataset.doi}`);
  // When: how long ago, and the exact moment in the <time> (and its tooltip).
  const when = first.locator('time');
  await expect(when).toHaveText(/^(just now|\d+ minutes? ago)$/);
  await expect(when).toHaveAttribute('datetime', /^\d{4}-\d{2}-\d{2}T/);
  await expect(when).toHaveAttribute('title', /\d{4}/);
  // In words only: none of ORCID's status line, nor our codes.
  await expect(page.getByRole('main')).not.toContainText(/HTTP|orcid_rejected|\b400\b/);
  await expect(page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Activity' })).toHaveAttribute('aria-current', 'page');
  await expectNoSidewaysScrolling(page);
  await expectAccessible(page);
  await screenshot(page, testInfo, 'activity');
  await atPhoneWidth(page, testInfo, 'activity', removed);

  // Filter by action: only the removal; only the failure; then everything again.
  const show = page.getByRole('combobox', { name: 'Show' });
  await show.selectOption({ label: 'Removed' });
  await expect(entries.locator('strong')).toHaveText(['Removed on orcid.org — Profiles will not add it again']);
  await expectAccessible(page);
  await screenshot(page, testInfo, 'removed');
  await show.selectOption({ label: 'Failed' });
  await expect(entries.locator('strong')).toHaveText(['Failed']);
  await expect(entries).toContainText('ORCID refused this work');
  await show.selectOption({ label: 'Updated' });
  await expect(page.getByText('Nothing of this kind has happened in your ORCID record yet.')).toBeVisible();
  await show.selectOption({ label: 'Everything' });
  await expect(entries).toHaveCount(4);
  await expectAccessible(page);

  // The API says the same, with the codes the page turns into words.
  const log = await apiFromPage(page, 'GET', '/api/v1/accounts/me/activity?action=failed');
  expect(log.body.data.map((e) => [e.action, e.error_code, e.orcid_status])).toEqual([['failed', 'orcid_rejected', 400]]);
});

/** A page of another site, with a link to our `/sign_out` (as a forum post or a phishing mail might have). */
const ELSEWHERE = 'https://elsewhere.example/';

test('37. /sign_out followed from another site asks first: "Stay signed in" keeps the session, "Sign out" signs out and returns', async ({ page, stack }, testInfo) => {
  await page.setViewportSize(DESKTOP);
  const orcid = randomOrcid();
  await signInWithOrcid(page, orcid);
  await page.route(`${ELSEWHERE}**`, (route) => route.fulfill({
    contentType: 'text/html',
    body: `<!doctype html><html lang="en"><head><title>Another site</title></head><body><main>
      <h1>Another site</h1><p><a href="${stack.appUrl}/sign_out">Sign out of Profiles</a></p></main></body></html>`,
  }));

  // A link on another site: the browser says it came from there, so the server only asks.
  await page.goto(ELSEWHERE);
  await expectAccessible(page);
  await page.getByRole('link', { name: 'Sign out of Profiles' }).click();
  await backAt(page, '/sign-out');
  await expect(page).toHaveTitle('Sign out · Profiles');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign out of Profiles?');
  const main = page.getByRole('main');
  await expect(main).toContainText('A link on another site sent you here to sign out of Profiles.');
  await expect(main).toContainText(`You are signed in as ${testResearcher(orcid)} (${orcid}).`);
  const signOut = main.getByRole('button', { name: 'Sign out' });
  await expectFlowForm(signOut, '/sign_out');
  await expect(signOut.locator('xpath=ancestor::form[1]').locator('input[name=back]')).toHaveValue('/');
  expect((await apiFromPage(page, 'GET', '/api/v1/accounts/me')).status, 'still signed in').toBe(200);
  await expectAccessible(page);
  await screenshot(page, testInfo, 'asks');
  await atPhoneWidth(page, testInfo, 'asks');

  // "Stay signed in": to the settings, the session as it was.
  await main.getByRole('link', { name: 'Stay signed in' }).click();
  await backAt(page, '/settings');
  await expect(page.getByRole('heading', { level: 1, name: 'Personal settings' })).toBeVisible();
  await expect(page.locator('.lead').first()).toContainText(orcid);
  expect((await apiFromPage(page, 'GET', '/api/v1/accounts/me')).status).toBe(200);
  await expectAccessible(page);

  // The same link again, with the other site as the Referer; this time "Sign out".
  await page.goto('/sign_out', { referer: ELSEWHERE });
  await backAt(page, '/sign-out');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign out of Profiles?');
  await expect(main).toContainText(`You are signed in as ${testResearcher(orcid)}`);
  await page.getByRole('button', { name: 'Sign out' }).click();
  // Back where the server allows (here `/`: the other site is not one it returns to), signed out.
  await backAt(page, '/');
  await expect(page.getByRole('heading', { level: 1, name: 'Your researcher account' })).toBeVisible();
  await expect(main.getByRole('link', { name: 'Sign in' })).toBeVisible();
  expect((await apiFromPage(page, 'GET', '/api/v1/accounts/me')).status, 'signed out').toBe(401);
  await expectAccessible(page);
  await screenshot(page, testInfo, 'signed-out');

  // Asked again now: nobody to sign out.
  await page.goto('/sign_out', { referer: ELSEWHERE });
  await backAt(page, '/sign-out');
  await expect(page).toHaveTitle('Not signed in · Profiles');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('You are not signed in');
  await expect(main.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
  await expectAccessible(page);
  await screenshot(page, testInfo, 'not-signed-in');
  await atPhoneWidth(page, testInfo, 'not-signed-in');
  await main.getByRole('link', { name: 'Go to the home page' }).click();
  await backAt(page, '/');
});
