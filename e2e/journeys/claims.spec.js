// Journeys 5–9: ORCID claims. What the person sees under Settings → ORCID claims (the overview,
// the Search & Link page and the list of claims), and what the ORCID Member API double has
// received in their record.
import { expectAccessible } from '../support/a11y.js';
import { orcidApi, orcidWork, randomOrcid } from '../support/doubles.js';
import { expect, test } from '../support/fixtures.js';
import {
  addWithSearchAndLink, apiFromPage, claimRow, createApiToken, doiRow, enablePermission, expectDone, grantRole,
  inRecordLine, openClaimList, openClaims, openSearch, permissionBox, postDoiEvents, QUICK, region, registerDoi,
  reloadUntil, signInWithOrcid, sourceCard, waitForOrcidRecord, waitForRecordRead,
} from '../support/flows.js';

const hasOne = (works) => works.length === 1;
const hasNone = (works) => works.length === 0;

test('5. Search & Link: enable it, search, add a DOI; ORCID has the work; the claim is done; the count is 1', async ({ page, stack }) => {
  const orcid = randomOrcid();
  const { doi, title, word } = await registerDoi([orcid], 'Search and Link');
  await signInWithOrcid(page, orcid);
  await openClaims(page);
  await expect(permissionBox(page, 'Search & Link').getByText('Disabled', { exact: true })).toBeVisible();
  await expect(sourceCard(page, 'ORCID Search & Link')).toContainText('0 claims');
  await expectAccessible(page);

  await enablePermission(page, 'Search & Link', orcid);
  await addWithSearchAndLink(page, { doi, word });

  await waitForOrcidRecord(orcidApi, orcid, doi, hasOne, 'the ORCID double receives the work');
  const [work] = await orcidApi.worksFor(orcid, doi);
  expect(work.title.title.value).toBe(title);
  expect(work.source['source-client-id'].path, 'pushed with the app\'s ORCID client').toBe(stack.clients.ORCID_CLIENT_ID);
  expect((await orcidApi.record(orcid)).works, 'nothing else in the record').toHaveLength(1);

  // The DOI's row on the search page shows it as added, without the button.
  await reloadUntil(page, async () => {
    await expect(doiRow(page, doi).getByText('In your ORCID record', { exact: true })).toBeVisible(QUICK);
  });
  await expect(doiRow(page, doi).getByRole('button', { name: 'Add to ORCID record' })).toHaveCount(0);
  await expectAccessible(page);

  await expectDone(page, doi, 'ORCID Search & Link');
  await expectAccessible(page);

  await openClaims(page);
  await expect(sourceCard(page, 'ORCID Search & Link')).toContainText('1 claim');
  await expect(inRecordLine(page, 'ORCID Search & Link')).toHaveText('1 in your record');
  await expect(sourceCard(page, 'ORCID Auto-Update')).toContainText('0 claims');
  await expect(region(page, 'Claim summary')).toContainText(`Last added: ${doi}`);
  await expectAccessible(page);
});

test('6. Auto-Update: an event for a DOI naming them is pushed; one for a person without permission waits for it', async ({ page, newPage }) => {
  // The DataCite event feed's credential: an API token of a staff admin, made with the operator CLI.
  const operatorOrcid = randomOrcid();
  const operator = await newPage();
  await signInWithOrcid(operator, operatorOrcid);
  await grantRole(operatorOrcid, 'staff_admin');
  const feed = await createApiToken(operatorOrcid, 'events:write');

  const orcid = randomOrcid();
  await signInWithOrcid(page, orcid);
  await enablePermission(page, 'Auto-Update', orcid);

  const mine = await registerDoi([orcid], 'Auto-Update');
  await postDoiEvents(feed, [mine.doi]);
  await waitForOrcidRecord(orcidApi, orcid, mine.doi, hasOne, 'the ORCID double receives the work');
  await expectDone(page, mine.doi, 'ORCID Auto-Update');
  await expectAccessible(page);
  await openClaims(page);
  await expect(sourceCard(page, 'ORCID Auto-Update')).toContainText('1 claim');
  await expect(inRecordLine(page, 'ORCID Auto-Update')).toHaveText('1 in your record');
  await expect(sourceCard(page, 'ORCID Search & Link')).toContainText('0 claims');
  await expectAccessible(page);

  // Someone who has not signed up yet, let alone allowed Auto-Update.
  const other = randomOrcid();
  const theirs = await registerDoi([other], 'Held');
  await postDoiEvents(feed, [theirs.doi]);
  const them = await newPage();
  await signInWithOrcid(them, other);
  await openClaimList(them);
  await reloadUntil(them, async () => {
    await expect(claimRow(them, theirs.doi).getByText('Waiting for your permission', { exact: true })).toBeVisible(QUICK);
  });
  await expectAccessible(them);
  expect(await orcidApi.worksFor(other, theirs.doi), 'held: nothing sent to ORCID yet').toHaveLength(0);
  await openClaims(them);
  await expect(sourceCard(them, 'ORCID Auto-Update')).toContainText('1 waiting for permission');
  await expectAccessible(them);

  await enablePermission(them, 'Auto-Update', other);
  await waitForOrcidRecord(orcidApi, other, theirs.doi, hasOne, 'the held work goes out once Auto-Update is enabled');
  await expectDone(them, theirs.doi, 'ORCID Auto-Update');
  expect(await orcidApi.worksFor(orcid, theirs.doi), 'not in the first person\'s record').toHaveLength(0);
});

test('7. ORCID answers 409 (already added): the claim still ends done with the adopted put code', async ({ page, stack }) => {
  const orcid = randomOrcid();
  const { doi, title, word } = await registerDoi([orcid], 'Already added');

  await signInWithOrcid(page, orcid);
  await enablePermission(page, 'Search & Link', orcid);
  // Granting Search & Link makes Profiles read the record (a background job). Seeded before that
  // reading, the work would show as already in the record and never be pushed; seeded after it,
  // it is an earlier push by this app that Profiles has no record of: ORCID refuses a second copy
  // with 409, and the claim adopts the work.
  await waitForRecordRead(page);
  const seeded = await orcidApi.seedWork(orcid, orcidWork(doi, 'An earlier title'), stack.clients.ORCID_CLIENT_ID);
  const putCode = seeded['put-code'];
  await addWithSearchAndLink(page, { doi, word });

  await expectDone(page, doi, 'ORCID Search & Link');
  await expectAccessible(page);

  const claims = await apiFromPage(page, 'GET', '/api/v1/claims');
  const claim = claims.body.data.find((c) => c.doi === doi);
  expect(claim.state).toBe('done');
  expect(claim.put_code, 'the put code of the work already in the record').toBe(putCode);
  const works = await orcidApi.worksFor(orcid, doi);
  expect(works, 'still one copy in the record').toHaveLength(1);
  expect(works[0]['put-code']).toBe(putCode);
  expect(works[0].title.title.value, 'the adopted work was brought up to date').toBe(title);
});

test('8. ORCID revokes the token (401): the UI says so and offers to re-enable; then the held claim completes', async ({ page }) => {
  const orcid = randomOrcid();
  const first = await registerDoi([orcid], 'Before revocation');
  const second = await registerDoi([orcid], 'After revocation');
  await signInWithOrcid(page, orcid);
  await enablePermission(page, 'Search & Link', orcid);
  await addWithSearchAndLink(page, first);
  await waitForOrcidRecord(orcidApi, orcid, first.doi, hasOne, 'the first work is pushed');

  // The person removes DataCite from their trusted organisations on orcid.org.
  const { revoked } = await orcidApi.revoke(orcid);
  expect(revoked, 'the double knew the token').toBeGreaterThan(0);
  await addWithSearchAndLink(page, second);

  await openClaimList(page);
  await reloadUntil(page, async () => {
    await expect(claimRow(page, second.doi).getByText('Waiting for your permission', { exact: true })).toBeVisible(QUICK);
  });
  await expectAccessible(page);
  expect(await orcidApi.worksFor(orcid, second.doi), 'nothing got through with the revoked token').toHaveLength(0);

  await openClaims(page);
  const box = permissionBox(page, 'Search & Link');
  await expect(box.getByRole('alert')).toContainText('ORCID no longer accepts DataCite\'s access for Search & Link');
  await expect(box.getByText('Access revoked on ORCID — enable again')).toBeVisible();
  await expectAccessible(page);

  await enablePermission(page, 'Search & Link', orcid, { again: true });
  await expect(box.getByRole('alert')).toHaveCount(0);
  await waitForOrcidRecord(orcidApi, orcid, second.doi, hasOne, 'the held claim goes out with the new token');
  await expectDone(page, second.doi, 'ORCID Search & Link');
  await openClaims(page);
  await expect(inRecordLine(page, 'ORCID Search & Link')).toHaveText('2 in your record');
  await expectAccessible(page);
});

test('9. remove a claim: the work is gone from the ORCID record', async ({ page }) => {
  const orcid = randomOrcid();
  const keep = await registerDoi([orcid], 'Kept');
  const drop = await registerDoi([orcid], 'Removed');
  await signInWithOrcid(page, orcid);
  await enablePermission(page, 'Search & Link', orcid);
  await addWithSearchAndLink(page, keep);
  await addWithSearchAndLink(page, drop);
  await waitForOrcidRecord(orcidApi, orcid, drop.doi, hasOne, 'the work is pushed');
  await expectDone(page, drop.doi, 'ORCID Search & Link');
  await expectDone(page, keep.doi, 'ORCID Search & Link');

  await claimRow(page, drop.doi).getByRole('button', { name: 'Remove from ORCID record' }).click();
  const dialog = page.getByRole('dialog', { name: 'Remove from ORCID record?' });
  await expect(dialog).toContainText(`DataCite will remove “${drop.title}” (${drop.doi}) from your ORCID record.`);
  await expectAccessible(page);
  await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
  await expect(dialog).toBeHidden();
  // The notice lasts only while the removal is queued: the row says where it stands.
  await expect(claimRow(page, drop.doi).getByText(/^(Being removed|Removed)$/)).toBeVisible();

  await waitForOrcidRecord(orcidApi, orcid, drop.doi, hasNone, 'the work is deleted from the ORCID record');
  await reloadUntil(page, async () => {
    await expect(claimRow(page, drop.doi).getByText('Removed', { exact: true })).toBeVisible(QUICK);
  });
  await expect(claimRow(page, drop.doi).getByRole('button', { name: 'Remove from ORCID record' })).toHaveCount(0);
  await expect(claimRow(page, drop.doi).getByRole('button', { name: 'Add again' })).toBeVisible();
  await expect(claimRow(page, keep.doi).getByText('In your ORCID record', { exact: true })).toBeVisible();
  await expectAccessible(page);
  const { works } = await orcidApi.record(orcid);
  expect(works.map((w) => w['external-ids']['external-id'][0]['external-id-value']), 'only the other work is left').toEqual([keep.doi]);

  // The search page offers to add it again.
  await openSearch(page);
  await expect(doiRow(page, drop.doi).getByRole('button', { name: 'Add to ORCID record' })).toBeVisible();
  await expectAccessible(page);
});
