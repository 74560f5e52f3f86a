// Journeys 26–28: what the settings pages tell a researcher (issue 14, items 5–7): a grant made at
// ORCID as another ORCID iD is explained on the page, with one button that signs in to ORCID
// afresh and grants; the email Google gave is shown with where it came from, and each connection
// names its account; the Auto-Update box says when DataCite is asked.
import { expectAccessible } from '../support/a11y.js';
import { randomOrcid } from '../support/doubles.js';
import { expect, screenshot, test } from '../support/fixtures.js';
import {
  apiFromPage, authorizeAtGithub, backAt, CLAIMS, expectFlowForm, openClaims, openSocialLogin, permissionBox,
  signInAtProvider, signInWithOrcid, socialRow, throughProvider,
} from '../support/flows.js';

/** The value next to `term` in the account overview. */
const fact = (page, term) => page.locator('dl.details > div')
  .filter({ has: page.locator('dt', { hasText: new RegExp(`^${term}$`) }) })
  .locator('dd');

/** At 390 px wide (a phone): nothing wider than the screen, axe still clean, and a picture of `element`. */
async function atPhoneWidth(page, testInfo, element, suffix) {
  const desktop = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    await expect(element).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, 'no sideways scrolling at 390 px').toBeLessThanOrEqual(0);
    const box = await element.boundingBox();
    expect(box.x + box.width, 'it fits the screen').toBeLessThanOrEqual(390);
    await expectAccessible(page);
    await screenshot(page, testInfo, `${suffix}-390px`);
    await screenshot(page, testInfo, `${suffix}-box-390px`, element);
  } finally {
    await page.setViewportSize(desktop);
  }
}

test('26. granting Search & Link as another ORCID iD is explained; "Sign in to ORCID again and grant" asks ORCID for the login afresh and enables it', async ({ page }, testInfo) => {
  const mine = randomOrcid();
  const other = randomOrcid();
  await signInWithOrcid(page, mine);
  await openClaims(page);
  const box = permissionBox(page, 'Search & Link');

  // Meanwhile, in this browser, the person signs out of orcid.org (the ORCID stand-in forgets its
  // login session) and, asked to sign in there for the grant, uses their other ORCID iD.
  await page.context().clearCookies({ name: /^_session/ });
  const enable = box.getByRole('button', { name: 'Enable Search & Link', exact: true });
  await expectFlowForm(enable, '/auth/orcid/grant');
  await throughProvider(page, 'orcid', other, () => enable.click());

  // Back on the page it started from: not a bare server page, but what happened and what helps.
  await backAt(page, CLAIMS.overview);
  const url = new URL(page.url());
  expect([url.searchParams.get('error'), url.searchParams.get('kind')]).toEqual(['grant_wrong_orcid', 'search_and_link']);
  const alert = page.getByRole('alert').filter({ hasText: 'another ORCID iD' });
  await expect(alert).toContainText('You granted access while signed in to orcid.org as another ORCID iD.');
  await expect(alert).toContainText(`Search & Link was not enabled: it can only be granted by the ORCID iD of this account, ${mine}.`);
  await expect(alert).toContainText(`Sign in to ORCID again as ${mine}`);
  await expect(alert).not.toContainText('Something went wrong');
  await expect(box.getByText('Disabled', { exact: true })).toBeVisible();
  const again = alert.getByRole('button', { name: 'Sign in to ORCID again and grant' });
  await expectFlowForm(again, '/auth/orcid/grant');
  const form = again.locator('xpath=ancestor::form[1]');
  await expect(form.locator('input[type=hidden][name=fresh_login]')).toHaveValue('true');
  await expect(form.locator('input[type=hidden][name=kind]')).toHaveValue('search_and_link');
  // Back to the overview, marked as a grant of Search & Link (the page then checks it took).
  await expect(form.locator('input[type=hidden][name=return_to]')).toHaveValue(`${CLAIMS.overview}?granted=search_and_link`);
  await expectAccessible(page);
  await screenshot(page, testInfo, 'wrong-orcid');
  await atPhoneWidth(page, testInfo, alert, 'wrong-orcid');
  expect((await apiFromPage(page, 'GET', '/api/v1/accounts/me/permissions')).body
    .find((p) => p.kind === 'search_and_link').status, 'nothing was granted').not.toBe('active');

  // ORCID is still signed in as the other iD, yet asks for the login again (prompt=login): the
  // person signs in as the account's own iD and grants.
  await again.click();
  await signInAtProvider(page, 'orcid', mine);
  await backAt(page, CLAIMS.overview);
  // Neither the error nor the grant's marker stays in the address.
  await expect.poll(() => new URL(page.url()).search, { message: 'the error is not carried back' }).toBe('');
  await expect(box.getByText('Enabled', { exact: true })).toBeVisible();
  await expect(box.getByRole('button', { name: 'Disable Search & Link' })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expectAccessible(page);
  const permissions = await apiFromPage(page, 'GET', '/api/v1/accounts/me/permissions');
  expect(permissions.body.find((p) => p.kind === 'search_and_link').status).toBe('active');
});

test('27. the email Google gave is shown on Settings with where it came from, and can be changed; Social login names the Google and GitHub accounts', async ({ page }, testInfo) => {
  const orcid = randomOrcid();
  // The stand-ins' Alice: Google's alice@example.test and GitHub's alice-example, both "Alice Example".
  const email = 'alice@example.test';
  const login = 'alice-example';
  await signInWithOrcid(page, orcid);
  // ORCID gives no email.
  await expect(fact(page, 'Email')).toHaveText('Not set');

  await openSocialLogin(page);
  const google = socialRow(page, 'Google');
  const connectGoogle = google.getByRole('button', { name: 'Connect Google' });
  await expectFlowForm(connectGoogle, '/auth/google/start');
  await throughProvider(page, 'google', email, () => connectGoogle.click());
  await backAt(page, '/settings/social');
  // Which Google account: its email (and the name there).
  await expect(google).toContainText(`Linked as ${email} (Alice Example)`);
  await expectAccessible(page);

  // Settings: the email came from Google.
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Your account' }).click();
  await backAt(page, '/settings');
  await expect(fact(page, 'Email')).toHaveText(`${email} from your Google account`);
  await expectAccessible(page);
  await screenshot(page, testInfo, 'email-from-google');

  // GitHub: the row names the account by its username, although GitHub's name for it is "Alice Example".
  await openSocialLogin(page);
  const github = socialRow(page, 'GitHub');
  await github.getByRole('button', { name: 'Connect GitHub' }).click();
  await authorizeAtGithub(page, login);
  await backAt(page, '/settings/social');
  await expect(github).toContainText(`Linked as ${login} (Alice Example)`);
  await expect(github.getByRole('link', { name: login, exact: true })).toHaveAttribute('href', `https://github.com/${login}`);
  await expect(google).toContainText(`Linked as ${email} (Alice Example)`);
  await expectAccessible(page);
  await screenshot(page, testInfo, 'social-accounts');
  await atPhoneWidth(page, testInfo, page.getByRole('list').filter({ has: github }), 'social-accounts');

  // The person may still change it: Profiles keeps what they set.
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Your account' }).click();
  await backAt(page, '/settings');
  await page.getByRole('button', { name: 'Edit' }).click();
  const form = page.getByRole('form', { name: 'Edit your account' });
  const field = form.getByLabel('Email');
  await expect(field).toHaveValue(email);
  await expect(field).toHaveAccessibleDescription(
    'Filled in from your Google account. You can change it to another address; Profiles then keeps yours.',
  );
  await expectAccessible(page);
  await field.fill('alice@university.example');
  await form.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'saved' })).toHaveText('Your changes were saved.');
  await expect(fact(page, 'Email')).toHaveText('alice@university.example');
  await expectAccessible(page);
  const me = await apiFromPage(page, 'GET', '/api/v1/accounts/me');
  expect(me.body.email).toBe('alice@university.example');
});

test('28. the Auto-Update box says when DOIs are taken in: here, as DataCite registers them (no polling)', async ({ page }, testInfo) => {
  const orcid = randomOrcid();
  await signInWithOrcid(page, orcid);
  // The suite's stack runs with AUTO_UPDATE_POLL_SECS=0: DataCite is not polled.
  const status = await apiFromPage(page, 'GET', '/api/v1/auto-update/status');
  expect(status.status).toBe(200);
  expect(status.body.every_secs).toBeNull();

  await openClaims(page);
  const box = permissionBox(page, 'Auto-Update');
  await expect(box.getByText('This service takes DOI registrations from DataCite as they happen.', { exact: true }))
    .toBeVisible();
  await expect(box).not.toContainText('Last checked');
  await expect(permissionBox(page, 'Search & Link')).not.toContainText('DOI registrations');
  await expectAccessible(page);
  await screenshot(page, testInfo, 'auto-update-box', box);
  await atPhoneWidth(page, testInfo, box, 'auto-update');
});
