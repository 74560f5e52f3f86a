// Journey 41: a DOI names someone who has never signed in (issue 17). DataCite's event makes an
// Auto-Update claim that waits for their permission; the workers' sweep (every second in the
// suite, NOTIFICATION_SWEEP_SECS) posts one permission notification to their ORCID inbox at the
// Member API double. The person opens that inbox (the double's HTML page standing in for
// orcid.org's), follows "Grant permission", signs in at the ORCID stand-in, and lands on their
// ORCID claims, signed in, with Auto-Update enabled; the waiting work goes into their record.
import { expectAccessible } from '../support/a11y.js';
import { orcidApi, randomOrcid } from '../support/doubles.js';
import { expect, screenshot, test } from '../support/fixtures.js';
import {
  apiFromPage, backAt, CLAIMS, createApiToken, expectDone, grantRole, inRecordLine, openClaims, permissionBox,
  postDoiEvents, QUICK, region, registerDoi, reloadUntil, signInAtProvider, signInWithOrcid, sourceCard,
  testResearcher, waitForOrcidRecord,
} from '../support/flows.js';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

const hasOne = (works) => works.length === 1;
const origin = (url) => new URL(url).origin;

/** At 390 px: no sideways scrolling, axe clean, a picture of the page; then back to 1280. */
async function atPhoneWidth(page, testInfo, suffix) {
  await page.setViewportSize(PHONE);
  try {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `no sideways scrolling at 390 px (${suffix})`).toBeLessThanOrEqual(0);
    await expectAccessible(page);
    await screenshot(page, testInfo, `${suffix}-390px`);
  } finally {
    await page.setViewportSize(DESKTOP);
  }
}

/** The ORCID double's notifications for `orcid` (its `/_control/inbox`), archived ones too, newest first. */
async function inboxOf(stack, orcid) {
  const res = await fetch(`${stack.urls['orcid-api']}/_control/inbox/${orcid}`);
  expect(res.status, `GET /_control/inbox/${orcid}`).toBe(200);
  return (await res.json()).notifications;
}

/** The staff view of `orcid`'s notifications (`GET /api/v1/admin/notifications?orcid=`), from a staff admin's browser. */
async function staffView(staff, orcid) {
  const res = await apiFromPage(staff, 'GET', `/api/v1/admin/notifications?orcid=${orcid}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

test('41. a DOI names a stranger → a notification lands in the ORCID inbox → following it signs them in, grants Auto-Update and the work arrives in their record', async ({ page, newPage, stack }, testInfo) => {
  await page.setViewportSize(DESKTOP);
  const sweepMs = stack.notificationSweepSecs * 1000;
  expect(stack.orcidInboxUrl, 'the orcid-api double announces its inbox').toMatch(/\/inbox\/\{orcid\}$/);

  // The DataCite event feed's credential: an API token of a staff admin, made with the operator CLI.
  const operatorOrcid = randomOrcid();
  const operator = await newPage();
  await signInWithOrcid(operator, operatorOrcid);
  await grantRole(operatorOrcid, 'staff_admin');
  const feed = await createApiToken(operatorOrcid, 'events:write');

  // Someone who has never been here: no account, no permission. A DOI names them, and DataCite says so.
  const orcid = randomOrcid();
  const work = await registerDoi([orcid], 'Inbox');
  await postDoiEvents(feed, [work.doi]);

  // Within a sweep or two, one notification in their ORCID inbox, naming the work.
  await expect.poll(async () => (await inboxOf(stack, orcid)).length, {
    message: 'a permission notification reaches the ORCID inbox', timeout: 20_000,
  }).toBe(1);
  const [sent] = await inboxOf(stack, orcid);
  expect(sent['notification-type']).toBe('permission');
  expect(sent['authorization-url'].uri.startsWith(`${stack.urls.orcid}/oauth/authorize?`), 'the link is ORCID\'s authorization URL').toBe(true);
  expect(sent.items.item).toEqual([expect.objectContaining({
    'item-type': 'work',
    'item-name': work.title,
    'external-id': expect.objectContaining({ 'external-id-type': 'doi', 'external-id-value': work.doi }),
  })]);
  expect(sent.source['source-client-id'].path, 'sent with the app\'s ORCID client').toBe(stack.clients.ORCID_CLIENT_ID);
  const putCode = sent['put-code'];
  expect(await orcidApi.worksFor(orcid, work.doi), 'nothing goes to the record without permission').toHaveLength(0);

  // Staff see it: sent, accepted, not granted yet.
  const before = await staffView(operator, orcid);
  expect(before.meta.total).toBe(1);
  expect(before.data[0]).toMatchObject({ orcid, status: 'sent', answer: 'accepted', put_code: putCode, granted_at: null });
  expect(before.data[0].works).toEqual([{ doi: work.doi, title: work.title }]);

  // Later sweeps do not ask again about the same work.
  await page.waitForTimeout(3 * sweepMs + 500);
  expect(await inboxOf(stack, orcid), 'still one notification after three more sweeps').toHaveLength(1);

  // The person opens their ORCID inbox (the double's page for "orcid.org/inbox").
  const inboxUrl = stack.orcidInboxUrl.replace('{orcid}', orcid);
  expect(origin(inboxUrl)).toBe(origin(stack.urls['orcid-api']));
  await page.goto(inboxUrl);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`ORCID inbox of ${orcid}`);
  const notices = page.getByRole('article');
  await expect(notices).toHaveCount(1);
  const notice = notices.first();
  await expect(notice).toContainText(work.title);
  await expect(notice).toContainText(work.doi);
  await expect(notice.getByRole('link', { name: work.doi })).toHaveAttribute('href', `https://doi.org/${work.doi}`);
  const grant = notice.getByRole('link', { name: 'Grant permission' });
  await expect(grant).toHaveAttribute('href', `/inbox/${orcid}/${putCode}/grant`);
  await expectAccessible(page);
  await screenshot(page, testInfo, 'inbox');
  await atPhoneWidth(page, testInfo, 'inbox');

  // Every page the browser is sent through on the way (redirects too).
  const navigations = [];
  page.on('request', (request) => {
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) navigations.push(request.url());
  });

  // "Grant permission" → ORCID's login page → our grant callback, which grants Auto-Update, makes
  // the account and signs them in through ORCID (at once: they have just signed in there).
  await grant.click();
  await signInAtProvider(page, 'orcid', orcid);
  await backAt(page, CLAIMS.overview);
  const grantCallback = navigations.find((u) => new URL(u).pathname === '/auth/orcid/grant/callback');
  expect(grantCallback, `through the grant callback (${navigations.join(' → ')})`).toBeTruthy();
  expect(new URL(grantCallback).searchParams.get('state')).toMatch(/^inv_/);
  const signIn = navigations.findIndex((u) => new URL(u).pathname === '/auth/orcid/callback');
  expect(signIn, 'then an ordinary ORCID sign-in').toBeGreaterThan(navigations.indexOf(grantCallback));
  const landing = navigations.at(-1);
  expect(new URL(landing).pathname).toBe(CLAIMS.overview);
  expect(landing, 'lands on the claims with the inbox marker').toContain('granted=auto_update&via=inbox');

  // Signed in as that person, Auto-Update enabled, and the page says so.
  await expect(page.getByRole('heading', { level: 2, name: 'ORCID claims' })).toBeVisible();
  // The notice: "Auto-Update is enabled: …" (or the inbox welcome's "Auto-Update is on: …").
  await expect(page.getByRole('status').filter({ hasText: /Auto-Update is (enabled|on)\b/ }).first()).toBeVisible();
  await expect(permissionBox(page, 'Auto-Update').getByText('Enabled', { exact: true })).toBeVisible();
  await expect(page.getByRole('banner').getByRole('button', { name: testResearcher(orcid) })).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, testInfo, 'landed');
  await atPhoneWidth(page, testInfo, 'landed');

  // The work arrives in their ORCID record, once.
  await waitForOrcidRecord(orcidApi, orcid, work.doi, hasOne, 'the waiting work reaches the ORCID record');
  const [pushed] = await orcidApi.worksFor(orcid, work.doi);
  expect(pushed.title.title.value).toBe(work.title);
  expect(pushed.source['source-client-id'].path, 'pushed with the app\'s ORCID client').toBe(stack.clients.ORCID_CLIENT_ID);
  await reloadUntil(page, async () => {
    await expect(inRecordLine(page, 'ORCID Auto-Update')).toHaveText('1 in your record', QUICK);
  });
  await expect(sourceCard(page, 'ORCID Auto-Update')).toContainText('1 claim');
  await expect(region(page, 'Claim summary')).toContainText(`Last added: ${work.doi} (${work.title})`);
  await expectAccessible(page);

  // The claims list names the work by its title, in the record, from Auto-Update.
  await page.getByRole('link', { name: 'More info' }).click();
  await backAt(page, CLAIMS.list);
  await expectDone(page, work.doi, 'ORCID Auto-Update');
  await expect(page.getByRole('main')).toContainText(work.title);
  await expectAccessible(page);
  await screenshot(page, testInfo, 'list');
  await atPhoneWidth(page, testInfo, 'list');

  // The account is theirs: Settings names them and their iD, the API agrees.
  await page.goto('/settings');
  await expect(page.getByRole('heading', { level: 1, name: 'Personal settings' })).toBeVisible();
  await expect(page.locator('.lead').first()).toContainText(orcid);
  await expect(page.getByRole('banner').getByRole('button', { name: testResearcher(orcid) })).toBeVisible();
  await expectAccessible(page);
  const me = await apiFromPage(page, 'GET', '/api/v1/accounts/me');
  expect(me.status).toBe(200);
  expect(me.body.orcid).toBe(orcid);
  const permissions = await apiFromPage(page, 'GET', '/api/v1/accounts/me/permissions');
  expect(permissions.status, JSON.stringify(permissions.body)).toBe(200);
  expect(permissions.body.find((p) => p.kind === 'auto_update')?.status, 'Auto-Update granted').toBe('active');

  // Still one copy in the record, and still one notification, several sweeps later.
  await page.waitForTimeout(3 * sweepMs + 500);
  expect(await orcidApi.worksFor(orcid, work.doi), 'the work is in the record exactly once').toHaveLength(1);
  expect((await orcidApi.record(orcid)).works, 'nothing else in the record').toHaveLength(1);
  const after = await inboxOf(stack, orcid);
  expect(after, 'no second notification').toHaveLength(1);
  expect(after[0]['actioned-date'], 'the double saw "Grant permission" followed').not.toBeNull();

  // Staff see it granted through its link.
  const granted = await staffView(operator, orcid);
  expect(granted.meta.total).toBe(1);
  expect(granted.data[0]).toMatchObject({ status: 'sent', put_code: putCode });
  expect(granted.data[0].granted_at).not.toBeNull();
  const summary = await apiFromPage(operator, 'GET', '/api/v1/admin/notifications/summary');
  expect(summary.status).toBe(200);
  expect(summary.body.enabled).toBe(true);
  expect(summary.body.people_notified).toBeGreaterThanOrEqual(1);
  expect(summary.body.people_granted).toBeGreaterThanOrEqual(1);
});
