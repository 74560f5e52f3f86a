// Journeys 38–40: Auto-Update's rules, on ORCID claims → Auto-Update. Review mode ("Ask me
// first") holds new DOIs in a review queue until the person adds or dismisses each; an exclusion
// keeps a kind of DOI out of Auto-Update until "Stop excluding"; enabling Auto-Update finds every
// DOI already naming the person (the back-fill) and adds them with ORCID's bulk create.
import { expectAccessible } from '../support/a11y.js';
import { orcidApi, randomOrcid } from '../support/doubles.js';
import { expect, screenshot, test } from '../support/fixtures.js';
import {
  apiFromPage, CLAIMS, claimRow, createApiToken, enablePermission, expectDone, grantRole, openClaimList,
  postDoiEvents, QUICK, region, registerDoi, reloadUntil, signInWithOrcid, waitForOrcidRecord,
} from '../support/flows.js';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

const hasOne = (works) => works.length === 1;

/** At 390 px: no sideways scrolling, axe clean, a picture of the page; then back to 1280. */
async function atPhoneWidth(page, testInfo, suffix) {
  await page.setViewportSize(PHONE);
  try {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, 'no sideways scrolling at 390 px').toBeLessThanOrEqual(0);
    await expectAccessible(page);
    await screenshot(page, testInfo, `${suffix}-390px`);
  } finally {
    await page.setViewportSize(DESKTOP);
  }
}

/** The DataCite event feed's credential: an API token of a staff admin, made with the operator CLI. */
async function eventFeed(newPage) {
  const operatorOrcid = randomOrcid();
  const operator = await newPage();
  await signInWithOrcid(operator, operatorOrcid);
  await grantRole(operatorOrcid, 'staff_admin');
  return createApiToken(operatorOrcid, 'events:write');
}

/** ORCID claims → Auto-Update, from the overview's Auto-Update box. */
async function openAutoUpdate(page) {
  await page.goto(CLAIMS.overview);
  await region(page, 'Auto-Update').getByRole('link', { name: 'Auto-Update settings' }).click();
  await expect(page).toHaveURL((u) => u.pathname === CLAIMS.autoUpdate);
  await expect(page.getByRole('heading', { level: 2, name: 'Auto-Update' })).toBeVisible();
}

/** A row of the review queue. */
const reviewRow = (page, doi) => region(page, 'Waiting for your approval').getByRole('listitem').filter({ hasText: doi });

/** A row of the exclusions list. */
const exclusionRow = (page, text) => page.getByRole('list', { name: 'Your exclusions' }).getByRole('listitem').filter({ hasText: text });

/** The person's claim for `doi`, as the API shows it to them. */
async function claimFor(page, doi) {
  const res = await apiFromPage(page, 'GET', `/api/v1/claims?doi=${encodeURIComponent(doi)}`);
  expect(res.status).toBe(200);
  return res.body.data[0];
}

test('38. review mode: "Ask me first" holds new DOIs in the review queue; one added reaches the record, one dismissed does not come back', async ({ page, newPage }, testInfo) => {
  await page.setViewportSize(DESKTOP);
  const feed = await eventFeed(newPage);
  const orcid = randomOrcid();
  await signInWithOrcid(page, orcid);
  await enablePermission(page, 'Auto-Update', orcid);

  await openAutoUpdate(page);
  const mode = region(page, 'New DOIs');
  await expect(mode.getByRole('radio', { name: 'Add new DOIs automatically' })).toBeChecked();
  await mode.getByRole('radio', { name: 'Ask me first' }).check();
  await expect(mode.getByRole('status')).toHaveText('Saved. New DOIs that name you now wait for your approval.');
  await expect(mode.getByRole('radio', { name: 'Ask me first' })).toBeChecked();
  expect((await apiFromPage(page, 'GET', '/api/v1/auto-update/settings')).body.mode).toBe('review');
  await expectAccessible(page);
  await screenshot(page, testInfo, 'ask-first');
  await atPhoneWidth(page, testInfo, 'ask-first');

  const keep = await registerDoi([orcid], 'Reviewed and added');
  const drop = await registerDoi([orcid], 'Reviewed and dismissed');
  await postDoiEvents(feed, [keep.doi, drop.doi]);

  // Both wait; the Auto-Update page counts them and links to the queue.
  await reloadUntil(page, async () => {
    await expect(mode.getByRole('link', { name: '2 DOIs wait for your approval' })).toBeVisible(QUICK);
  });
  expect(await orcidApi.worksFor(orcid, keep.doi), 'nothing goes to ORCID while it waits').toHaveLength(0);
  await mode.getByRole('link', { name: '2 DOIs wait for your approval' }).click();
  await expect(page).toHaveURL((u) => u.pathname === CLAIMS.review);
  await expect(page.getByRole('heading', { level: 2, name: 'Review new DOIs' })).toBeVisible();
  await expect(reviewRow(page, keep.doi)).toContainText(keep.title);
  await expect(reviewRow(page, drop.doi)).toContainText(drop.title);
  await expect(reviewRow(page, keep.doi).getByRole('link', { name: keep.doi })).toHaveAttribute('href', `https://doi.org/${keep.doi}`);
  await expect(reviewRow(page, keep.doi)).toContainText("DataCite's record of this DOI names you.");
  await expectAccessible(page);
  await screenshot(page, testInfo, 'review');
  await atPhoneWidth(page, testInfo, 'review');

  await reviewRow(page, keep.doi).getByRole('button', { name: 'Add to ORCID record' }).click();
  const queue = region(page, 'Waiting for your approval');
  await expect(queue.getByRole('status')).toHaveText(`“${keep.title}” (${keep.doi}) will be added to your ORCID record.`);
  await expect(reviewRow(page, keep.doi)).toHaveCount(0);
  await reviewRow(page, drop.doi).getByRole('button', { name: 'Dismiss' }).click();
  await expect(queue.getByRole('status')).toHaveText(`“${drop.title}” (${drop.doi}) was dismissed. Auto-Update will not propose it again.`);
  await expect(queue).toContainText('Nothing waits for your approval.');
  await expectAccessible(page);
  await screenshot(page, testInfo, 'review-empty');

  await waitForOrcidRecord(orcidApi, orcid, keep.doi, hasOne, 'the approved work reaches the record');
  await expectDone(page, keep.doi, 'ORCID Auto-Update');
  await expect(claimRow(page, drop.doi).getByText('Dismissed', { exact: true })).toBeVisible();
  await expectAccessible(page);

  // The dismissed DOI is excluded, in words; a new event for it does not bring it back.
  await openAutoUpdate(page);
  await expect(exclusionRow(page, drop.doi)).toContainText('You dismissed it.');
  await postDoiEvents(feed, [drop.doi]);
  await page.waitForTimeout(1_500);
  const dropped = await claimFor(page, drop.doi);
  expect(dropped.state, 'still dismissed').toBe('ignored');
  expect(dropped.skip_reason).toMatch(/^Dismissed/);
  await page.goto(CLAIMS.review);
  await expect(region(page, 'Waiting for your approval')).toContainText('Nothing waits for your approval.');
  expect(await orcidApi.worksFor(orcid, drop.doi), 'the dismissed work never reaches the record').toHaveLength(0);
  await expectAccessible(page);
});

test('39. an exclusion holds for the next event: a Software DOI reads skipped with "You excluded software DOIs…"; "Stop excluding" lifts it', async ({ page, newPage }, testInfo) => {
  await page.setViewportSize(DESKTOP);
  const feed = await eventFeed(newPage);
  const orcid = randomOrcid();
  await signInWithOrcid(page, orcid);
  await enablePermission(page, 'Auto-Update', orcid);
  await openAutoUpdate(page);

  const rules = region(page, 'What Auto-Update leaves out');
  await expect(rules).toContainText('Nothing is excluded.');
  const kind = rules.getByLabel('Leave out');
  await expect(kind.locator('option')).toHaveText([
    'This DOI', 'DOIs with this prefix', 'DOIs from this DataCite repository', 'DOIs of this resource type',
    'Versions and parts of other works',
  ]);
  // A value that does not fit its kind: the API's 422 at the field.
  await kind.selectOption({ label: 'DOIs with this prefix' });
  await rules.getByLabel('Prefix').fill('not a prefix');
  await rules.getByRole('button', { name: 'Add exclusion' }).click();
  await expect(rules.getByLabel('Prefix')).toHaveAttribute('aria-invalid', 'true');
  await expect(rules.locator('.field__error')).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, testInfo, 'exclusion-invalid');

  await kind.selectOption({ label: 'DOIs of this resource type' });
  await expect(rules.getByLabel('Resource type')).toHaveAccessibleDescription(/Software, Dataset or Preprint/);
  await rules.getByLabel('Resource type').fill('Software');
  await rules.getByRole('button', { name: 'Add exclusion' }).click();
  await expect(rules.getByRole('status')).toHaveText('Auto-Update now leaves out: Software DOIs.');
  await expect(exclusionRow(page, 'Software DOIs')).toContainText('You added this exclusion.');
  await expectAccessible(page);
  await screenshot(page, testInfo, 'exclusions');
  await atPhoneWidth(page, testInfo, 'exclusions');

  const software = await registerDoi([orcid], 'Excluded software', { resourceTypeGeneral: 'Software' });
  await postDoiEvents(feed, [software.doi]);
  await openClaimList(page);
  await reloadUntil(page, async () => {
    await expect(claimRow(page, software.doi).getByText('Skipped', { exact: true })).toBeVisible(QUICK);
  });
  await expect(claimRow(page, software.doi)).toContainText('You excluded software DOIs from Auto-Update.');
  expect(await orcidApi.worksFor(orcid, software.doi), 'nothing goes to ORCID').toHaveLength(0);
  await expectAccessible(page);
  await screenshot(page, testInfo, 'skipped');

  await openAutoUpdate(page);
  await exclusionRow(page, 'Software DOIs').getByRole('button', { name: 'Stop excluding' }).click();
  await expect(rules.getByRole('status')).toHaveText('Auto-Update no longer leaves out: Software DOIs.');
  await expect(rules).toContainText('Nothing is excluded.');
  expect((await apiFromPage(page, 'GET', '/api/v1/auto-update/exclusions')).body).toEqual([]);
  await expectAccessible(page);

  // Lifted: a new Software DOI goes in.
  const next = await registerDoi([orcid], 'Included software', { resourceTypeGeneral: 'Software' });
  await postDoiEvents(feed, [next.doi]);
  await waitForOrcidRecord(orcidApi, orcid, next.doi, hasOne, 'a Software DOI goes in once the exclusion is lifted');
});

test('40. back-fill: enabling Auto-Update adds the 150 DOIs already naming the person with at most 2 bulk requests to ORCID', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  await page.setViewportSize(DESKTOP);
  const orcid = randomOrcid();
  const dois = [];
  for (let i = 0; i < 150; i += 10) {
    dois.push(...await Promise.all(Array.from({ length: 10 }, (_, j) => registerDoi([orcid], `Backfill ${i + j + 1}`))));
  }
  await signInWithOrcid(page, orcid);
  const since = Date.now();
  await enablePermission(page, 'Auto-Update', orcid);

  await expect.poll(async () => (await orcidApi.record(orcid)).works.length, {
    message: 'the back-fill fills the record', timeout: 60_000,
  }).toBe(150);
  const inRecord = (await orcidApi.record(orcid)).works
    .map((w) => String(w['external-ids']['external-id'][0]['external-id-value']).toLowerCase()).sort();
  expect(inRecord, 'each DOI once').toEqual(dois.map((d) => d.doi.toLowerCase()).sort());
  const posts = (await orcidApi.requests()).filter((call) => call.method === 'POST'
    && call.path.replace(/\/+$/, '').endsWith(`/${orcid}/works`) && Date.parse(call.at) >= since);
  expect(posts.length, 'ORCID\'s bulk create, up to 100 works a request').toBeGreaterThan(0);
  expect(posts.length).toBeLessThanOrEqual(2);
  const single = (await orcidApi.requests()).filter((call) => call.method === 'POST'
    && call.path.replace(/\/+$/, '').endsWith(`/${orcid}/work`) && Date.parse(call.at) >= since);
  expect(single, 'no work sent one by one').toHaveLength(0);

  await expect.poll(async () => (await apiFromPage(page, 'GET', '/api/v1/claims?state=done&source=auto_update')).body.meta.total, {
    message: 'every DOI is an Auto-Update claim in the record', timeout: 20_000,
  }).toBe(150);
  await openClaimList(page);
  const rows = region(page, 'Your claims').getByRole('listitem');
  await expect(rows.first()).toContainText('In your ORCID record');
  await expect(rows.first()).toContainText('ORCID Auto-Update');
  await expect(region(page, 'Your claims')).toContainText('150');
  await expectAccessible(page);
  await screenshot(page, testInfo, 'filled');

  // The Auto-Update page explains the button, which runs it again on request.
  await openAutoUpdate(page);
  const backfill = region(page, 'Find all my DOIs');
  await expect(backfill).toContainText('This happens once by itself when you enable Auto-Update.');
  await backfill.getByRole('button', { name: 'Find all my DOIs now' }).click();
  await expect(backfill.getByRole('status')).toContainText('Profiles is looking for your DOIs');
  await expectAccessible(page);
  await screenshot(page, testInfo, 'backfill');
  await atPhoneWidth(page, testInfo, 'backfill');
  expect((await orcidApi.record(orcid)).works, 'nothing twice').toHaveLength(150);
});
