// Journeys 20–21: what a claim's row says and offers, live, on the Search & Link page and the list
// of claims (the settings walk-through's items 4 and 8): a failed claim with ORCID's reason and
// "Try again"; a failed claim dismissed (20b), then "Dismissed" with "Add again", nothing asked of
// ORCID; a claim waiting for permission as a neutral state with the button that grants it; a
// removed claim with "Add again"; notices that go once they are stale.
import { expectAccessible } from '../support/a11y.js';
import { orcidApi, randomOrcid } from '../support/doubles.js';
import { expect, screenshot, test } from '../support/fixtures.js';
import {
  apiFromPage, backAt, CLAIMS, claimRow, doiRow, enablePermission, expectFlowForm, openClaimList,
  registerDoi, searchDataCite, signInWithOrcid, statusLine, throughProvider, waitForOrcidRecord,
} from '../support/flows.js';

/** ORCID's refusal (400) of a work, as its person reads it: in plain words, without the status line. */
const REJECTED = 'ORCID refused this work: The client application sent a bad request to ORCID.';
const DOIS = 'Your DOIs in DataCite';
const hasOne = (works) => works.length === 1;
const hasNone = (works) => works.length === 0;

/** The colour of `--danger-text` in the light scheme: error text. */
const DANGER_TEXT = 'rgb(138, 20, 20)';

/** No red in `row`: neither a danger pill nor error-coloured text. */
async function expectNothingRed(row) {
  await expect(row.locator('.pill--danger')).toHaveCount(0);
  const colours = await row.locator('p, span, strong').evaluateAll((els) => els.map((el) => getComputedStyle(el).color));
  expect(colours, 'no text in the error colour').not.toContain(DANGER_TEXT);
}

/** At 390 px wide (a phone): nothing wider than the screen, axe still clean, and a picture of `row`. */
async function atPhoneWidth(page, testInfo, row, suffix) {
  const desktop = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    await expect(row).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, 'no sideways scrolling at 390 px').toBeLessThanOrEqual(0);
    const box = await row.boundingBox();
    expect(box.x + box.width, 'the row fits the screen').toBeLessThanOrEqual(390);
    await expectAccessible(page);
    await screenshot(page, testInfo, `${suffix}-390px`);
    await screenshot(page, testInfo, `${suffix}-row-390px`, row);
  } finally {
    await page.setViewportSize(desktop);
  }
}

test('20. Search & Link: a claim ORCID refuses turns Failed in its row, with the reason and Try again; stale notices go', async ({ page }, testInfo) => {
  const orcid = randomOrcid();
  const refused = await registerDoi([orcid], 'Refused');
  const other = await registerDoi([orcid], 'Searched next');
  await signInWithOrcid(page, orcid);
  await enablePermission(page, 'Search & Link', orcid);
  // ORCID refuses (400) the next push to this record: the claim fails at once, for good.
  await orcidApi.failNext({ orcid, status: 400, method: 'POST', count: 1 });

  await searchDataCite(page, refused);
  await expectAccessible(page);
  const row = doiRow(page, refused.doi);
  await row.getByRole('button', { name: 'Add to ORCID record' }).click();

  // No reload: the row follows the claim until it settles, and then says why it failed.
  await expect(row.getByText('Failed', { exact: true })).toBeVisible();
  await expect(row).toContainText(REJECTED);
  const tryAgain = row.getByRole('button', { name: 'Try again' });
  await expect(tryAgain).toBeVisible();
  await expect(row.getByRole('button', { name: /^Enable/ })).toHaveCount(0);
  // "… is queued for your ORCID record" does not outlive the queue.
  await expect(statusLine(page, DOIS)).toHaveText('');
  expect(await orcidApi.worksFor(orcid, refused.doi), 'nothing reached the record').toHaveLength(0);
  await expectAccessible(page);
  await screenshot(page, testInfo, 'failed');
  await atPhoneWidth(page, testInfo, row, 'failed');

  // The claim's own page of the API says the same.
  const claims = await apiFromPage(page, 'GET', `/api/v1/claims?doi=${encodeURIComponent(refused.doi)}`);
  expect(claims.body.data.map((c) => [c.state, c.error?.code])).toEqual([['failed', 'orcid_rejected']]);

  // Try again: queued again, then in the record, without a reload; the notice goes with the queue.
  await tryAgain.click();
  await expect(row.getByText('In your ORCID record', { exact: true })).toBeVisible();
  await expect(row).not.toContainText(REJECTED);
  await expect(row.getByRole('button')).toHaveCount(0);
  await expect(statusLine(page, DOIS)).toHaveText('');
  await waitForOrcidRecord(orcidApi, orcid, refused.doi, hasOne, 'the retried work arrives once');
  await expectAccessible(page);

  // A new search starts with a clean slate.
  await searchDataCite(page, other);
  await expect(statusLine(page, DOIS)).toHaveText('');
  await expect(doiRow(page, other.doi).getByRole('button', { name: 'Add to ORCID record' })).toBeVisible();
  await expect(doiRow(page, refused.doi)).toHaveCount(0);
  await expectAccessible(page);
});

/** The ORCID double's calls on `orcid`'s record since `since` (ms since the epoch). */
async function orcidCallsSince(orcid, since) {
  const log = await orcidApi.requests();
  return log.filter((call) => call.path.includes(orcid) && Date.parse(call.at) >= since);
}

/** Long enough for a worker (polling every 100 ms) to have pushed a claim that was still queued. */
const WORKER_GRACE_MS = 1_500;

test('20b. a failed claim can be dismissed: it reads Dismissed with Add again, and nothing is sent to ORCID', async ({ page }, testInfo) => {
  const orcid = randomOrcid();
  const first = await registerDoi([orcid], 'Dismissed here');
  const second = await registerDoi([orcid], 'Dismissed from the list');
  await signInWithOrcid(page, orcid);
  await enablePermission(page, 'Search & Link', orcid);
  // ORCID refuses (400) the next two pushes to this record: each claim fails at once, for good.
  await orcidApi.failNext({ orcid, status: 400, method: 'POST', count: 2 });

  // On the Search & Link page: the failed row offers "Dismiss" beside "Try again".
  await searchDataCite(page, first);
  await expectAccessible(page);
  const row = doiRow(page, first.doi);
  await row.getByRole('button', { name: 'Add to ORCID record' }).click();
  await expect(row.getByText('Failed', { exact: true })).toBeVisible();
  await expect(row).toContainText(REJECTED);
  await expect(row.getByRole('button')).toHaveText(['Try again', 'Dismiss']);
  await expectAccessible(page);

  let since = Date.now();
  await row.getByRole('button', { name: 'Dismiss' }).click();
  await expect(row.getByText('Dismissed', { exact: true })).toBeVisible();
  await expect(row).toContainText('You chose not to add it to your ORCID record.');
  await expect(row).not.toContainText(REJECTED);
  await expect(row.getByRole('button')).toHaveText(['Add again']);
  await expectNothingRed(row);
  await expect(statusLine(page, DOIS)).toHaveText(`${first.doi} was dismissed. You can add it again at any time.`);
  await page.waitForTimeout(WORKER_GRACE_MS);
  expect(await orcidCallsSince(orcid, since), 'dismissing asks nothing of ORCID').toEqual([]);
  expect(await orcidApi.worksFor(orcid, first.doi), 'nothing reached the record').toHaveLength(0);
  await expectAccessible(page);
  await screenshot(page, testInfo, 'search-dismissed');

  // The second one fails too; it is dismissed from the list of claims.
  await searchDataCite(page, second);
  await doiRow(page, second.doi).getByRole('button', { name: 'Add to ORCID record' }).click();
  await expect(doiRow(page, second.doi).getByText('Failed', { exact: true })).toBeVisible();
  await expectAccessible(page);

  await openClaimList(page);
  const listed = claimRow(page, second.doi);
  await expect(listed.getByText('Failed', { exact: true })).toBeVisible();
  await expect(listed.getByRole('button')).toHaveText(['Try again', 'Dismiss']);
  // The first, dismissed on the other page, reads the same here.
  const firstListed = claimRow(page, first.doi);
  await expect(firstListed.getByText('Dismissed', { exact: true })).toBeVisible();
  await expect(firstListed.getByRole('button')).toHaveText(['Add again']);
  await expectAccessible(page);
  await screenshot(page, testInfo, 'list-failed');

  since = Date.now();
  await listed.getByRole('button', { name: 'Dismiss' }).click();
  await expect(listed.getByText('Dismissed', { exact: true })).toBeVisible();
  await expect(listed).toContainText('You chose not to add it to your ORCID record.');
  await expect(listed).not.toContainText(REJECTED);
  const addAgain = listed.getByRole('button', { name: 'Add again' });
  await expect(listed.getByRole('button')).toHaveText(['Add again']);
  await expectNothingRed(listed);
  await expect(statusLine(page, 'Your claims')).toHaveText(`${second.doi} was dismissed. You can add it again at any time.`);
  await page.waitForTimeout(WORKER_GRACE_MS);
  expect(await orcidCallsSince(orcid, since), 'dismissing asks nothing of ORCID').toEqual([]);
  expect(await orcidApi.worksFor(orcid, second.doi), 'nothing reached the record').toHaveLength(0);
  await expectAccessible(page);
  await screenshot(page, testInfo, 'list-dismissed');
  await atPhoneWidth(page, testInfo, listed, 'list-dismissed');

  // The API keeps both as ignored, "Dismissed".
  for (const { doi } of [first, second]) {
    const { body } = await apiFromPage(page, 'GET', `/api/v1/claims?doi=${encodeURIComponent(doi)}`);
    expect(body.data.map((c) => [c.state, c.skip_reason?.startsWith('Dismissed')])).toEqual([['ignored', true]]);
  }

  // "Add again": the same DOI, from the same source, queued afresh and into the record, once.
  await addAgain.click();
  await expect(listed.getByText('In your ORCID record', { exact: true })).toBeVisible();
  await expect(listed).toContainText('ORCID Search & Link');
  await waitForOrcidRecord(orcidApi, orcid, second.doi, hasOne, 'the work added again arrives once');
  await expectAccessible(page);

  // Back on the Search & Link page, the first still reads Dismissed (not "Skipped"), with Add again.
  await searchDataCite(page, first);
  await expect(row.getByText('Dismissed', { exact: true })).toBeVisible();
  await expect(row).not.toContainText('Skipped');
  await expect(row.getByRole('button')).toHaveText(['Add again']);
  await expectAccessible(page);
  expect(await orcidApi.worksFor(orcid, first.doi), 'the first never reached the record').toHaveLength(0);
});

test('21. waiting for permission is a neutral state with the Enable button for its permission; a removed claim can be added again', async ({ page }, testInfo) => {
  const orcid = randomOrcid();
  const linked = await registerDoi([orcid], 'Held for Search and Link');
  const auto = await registerDoi([orcid], 'Held for Auto-Update');
  await signInWithOrcid(page, orcid);

  // Neither permission is enabled. On the Search & Link page the claim waits for Search & Link.
  await searchDataCite(page, linked);
  await expectAccessible(page);
  const row = doiRow(page, linked.doi);
  await row.getByRole('button', { name: 'Add to ORCID record' }).click();
  await expect(row.getByText('Waiting for your permission', { exact: true })).toBeVisible();
  await expect(row).toContainText('is not enabled for this ORCID record');
  const enableHere = row.getByRole('button', { name: 'Enable Search & Link', exact: true });
  await expect(enableHere).toBeVisible();
  await expectFlowForm(enableHere, '/auth/orcid/grant');
  await expect(row.getByRole('button', { name: 'Try again' })).toHaveCount(0);
  await expect(row.getByRole('alert')).toHaveCount(0);
  await expectNothingRed(row);
  // The claim stays as it is, so its notice does too, until the next search.
  const notice = `${linked.doi} will be added to your ORCID record once you enable Search & Link.`;
  await expect(statusLine(page, DOIS)).toHaveText(notice);
  await expectAccessible(page);
  await screenshot(page, testInfo, 'waiting');
  await atPhoneWidth(page, testInfo, row, 'waiting');
  await searchDataCite(page, linked);
  await expect(statusLine(page, DOIS)).toHaveText('');
  await expect(row.getByText('Waiting for your permission', { exact: true })).toBeVisible();

  // An Auto-Update claim of theirs waits for Auto-Update.
  const created = await apiFromPage(page, 'POST', '/api/v1/claims', { doi: auto.doi, source: 'auto_update' });
  expect(created.status).toBe(202);
  expect(created.body.state).toBe('waiting_for_permission');

  await openClaimList(page);
  const linkedRow = claimRow(page, linked.doi);
  const autoRow = claimRow(page, auto.doi);
  for (const [claim, title] of [[linkedRow, 'Search & Link'], [autoRow, 'Auto-Update']]) {
    await expect(claim.getByText('Waiting for your permission', { exact: true })).toBeVisible();
    await expect(claim).toContainText('is not enabled for this ORCID record');
    await expect(claim.getByRole('button', { name: `Enable ${title}`, exact: true })).toBeVisible();
    await expect(claim.getByRole('button', { name: 'Try again' })).toHaveCount(0);
    await expectNothingRed(claim);
  }
  await expectAccessible(page);
  await screenshot(page, testInfo, 'list-waiting');

  // "Enable Auto-Update" in the row grants it at ORCID and comes back to the list, where the
  // held claim goes out; the Search & Link one still waits.
  const enableAuto = autoRow.getByRole('button', { name: 'Enable Auto-Update', exact: true });
  await expectFlowForm(enableAuto, '/auth/orcid/grant');
  await throughProvider(page, 'orcid', orcid, () => enableAuto.click());
  await backAt(page, CLAIMS.list);
  await expect(autoRow.getByText('In your ORCID record', { exact: true })).toBeVisible();
  await waitForOrcidRecord(orcidApi, orcid, auto.doi, hasOne, 'the held Auto-Update work arrives');
  await expect(linkedRow.getByText('Waiting for your permission', { exact: true })).toBeVisible();
  expect(await orcidApi.worksFor(orcid, linked.doi), 'the Search & Link one still waits').toHaveLength(0);
  await expectAccessible(page);

  // Removed, then "Add again": the same DOI, from the same source, back in the record.
  await autoRow.getByRole('button', { name: 'Remove from ORCID record' }).click();
  const dialog = page.getByRole('dialog', { name: 'Remove from ORCID record?' });
  await expectAccessible(page);
  await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
  await expect(autoRow.getByText('Removed', { exact: true })).toBeVisible();
  await waitForOrcidRecord(orcidApi, orcid, auto.doi, hasNone, 'the work is deleted from the record');
  const addAgain = autoRow.getByRole('button', { name: 'Add again' });
  await expect(addAgain).toBeVisible();
  await expect(autoRow.getByRole('button', { name: 'Try again' })).toHaveCount(0);
  await expectAccessible(page);
  await screenshot(page, testInfo, 'list-removed');
  await addAgain.click();
  await expect(autoRow.getByText('In your ORCID record', { exact: true })).toBeVisible();
  await expect(autoRow).toContainText('ORCID Auto-Update');
  await waitForOrcidRecord(orcidApi, orcid, auto.doi, hasOne, 'the work is back, once');
  const again = await apiFromPage(page, 'GET', `/api/v1/claims?doi=${encodeURIComponent(auto.doi)}`);
  expect(again.body.data.map((c) => [c.source, c.action, c.state])).toEqual([['auto_update', 'create', 'done']]);
  await expectAccessible(page);

  // Enabling Search & Link from its row on the search page sends the other one out.
  await searchDataCite(page, linked);
  await throughProvider(page, 'orcid', orcid, () => enableHere.click());
  await backAt(page, CLAIMS.search);
  await searchDataCite(page, linked);
  await expect(row.getByText('In your ORCID record', { exact: true })).toBeVisible();
  await waitForOrcidRecord(orcidApi, orcid, linked.doi, hasOne, 'the held Search & Link work arrives');
  await expectAccessible(page);
});
