// Journeys 1–4: signing in with ORCID and GitHub, linking, connecting and unlinking Google, and
// the ORCID sign-in token.
import { randomBytes } from 'node:crypto';
import { expectAccessible } from '../support/a11y.js';
import { oidc, randomOrcid } from '../support/doubles.js';
import { expect, test } from '../support/fixtures.js';
import {
  apiFromPage, authorizeAtGithub, backAt, expectFlowForm, openSocialLogin, signInAtProvider, signInWithOrcid, signOut,
  socialRow, testResearcher, throughProvider,
} from '../support/flows.js';

/** The value next to `term` in the account overview. */
const fact = (page, term) => page.locator('dl.details > div')
  .filter({ has: page.locator('dt', { hasText: new RegExp(`^${term}$`) }) })
  .locator('dd');

test('1. a new person signs in with ORCID; Settings shows their name and ORCID iD', async ({ page }) => {
  const orcid = randomOrcid();
  const name = testResearcher(orcid);

  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Your researcher account' })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole('main').getByRole('link', { name: 'Sign in' }).click();
  await backAt(page, '/sign-in');
  await expectAccessible(page);

  await page.getByRole('link', { name: 'Sign in with ORCID' }).click();
  // The provider's real login page, not a shortcut.
  await signInAtProvider(page, 'orcid', orcid);

  await backAt(page, '/settings');
  await expect(page.getByRole('heading', { level: 1, name: 'Personal settings' })).toBeVisible();
  await expect(fact(page, 'Name')).toHaveText(name);
  await expect(fact(page, 'ORCID iD')).toHaveText(orcid);
  await expect(fact(page, 'ORCID iD').getByRole('link')).toHaveAttribute('href', new RegExp(`${orcid}$`));
  await expect(page.getByRole('button', { name })).toBeVisible(); // the user menu
  await expectAccessible(page);
});

test('2. GitHub first, then link the ORCID iD; both are listed; GitHub again lands in the same account', async ({ page }) => {
  const orcid = randomOrcid();
  const login = `e2e-${randomBytes(4).toString('hex')}`;

  await page.goto('/sign-in?return_to=/settings');
  await expectAccessible(page);
  await page.getByRole('link', { name: 'Sign in with GitHub' }).click();
  await authorizeAtGithub(page, login);

  // Every account is anchored on an ORCID iD: the app asks for it before anything else, naming the
  // GitHub account it would connect, and only that confirmation links it.
  await backAt(page, '/link-orcid');
  await expect(page.getByRole('heading', { level: 1, name: 'Link your ORCID iD' })).toBeVisible();
  const question = page.getByRole('heading', { level: 2, name: /^Connect the GitHub account .+ to your ORCID iD\?$/ });
  await expect(question).toBeVisible();
  await expect(question).toContainText(login);
  await expect(page.getByRole('main').getByRole('link', { name: /This isn’t my account/ })).toHaveAttribute('href', '/sign-in');
  await expectAccessible(page);
  const confirm = page.getByRole('main').getByRole('button', { name: 'Yes, sign in with ORCID' });
  await expectFlowForm(confirm, '/auth/orcid/start');
  await confirm.click();
  await signInAtProvider(page, 'orcid', orcid);

  await backAt(page, '/settings');
  await expect(fact(page, 'ORCID iD')).toHaveText(orcid);
  await expectAccessible(page);
  await openSocialLogin(page);
  await expect(socialRow(page, 'ORCID')).toContainText(`Linked to ORCID iD ${orcid}.`);
  await expect(socialRow(page, 'GitHub')).toContainText('Linked as');
  await expect(socialRow(page, 'GitHub')).toContainText(login);
  await expect(socialRow(page, 'GitHub').getByRole('button', { name: 'Unlink GitHub' })).toBeVisible();
  await expectAccessible(page);

  await signOut(page, testResearcher(orcid));
  await expectAccessible(page);
  await page.getByRole('link', { name: 'Sign in with GitHub' }).click();
  await authorizeAtGithub(page, login);
  await backAt(page, '/settings');
  await expect(fact(page, 'ORCID iD')).toHaveText(orcid);
  await expect(fact(page, 'Name')).toHaveText(testResearcher(orcid));
  await openSocialLogin(page);
  await expect(socialRow(page, 'GitHub')).toContainText(login);
});

test('3. connect Google, unlink it; removing the last way to sign in is refused with the reason', async ({ page }) => {
  const orcid = randomOrcid();
  const email = `e2e-${randomBytes(4).toString('hex')}@example.test`;
  await signInWithOrcid(page, orcid);
  await openSocialLogin(page);

  const google = socialRow(page, 'Google');
  await expect(google).toContainText('Not linked.');
  await expectAccessible(page);
  const connect = google.getByRole('button', { name: 'Connect Google' });
  await expectFlowForm(connect, '/auth/google/start');
  await throughProvider(page, 'google', email, () => connect.click());

  await backAt(page, '/settings/social');
  await expect(google).toContainText('Linked as');
  await expect(google).toContainText(email.split('@')[0].replace(/^./, (c) => c.toUpperCase()));
  await expectAccessible(page);
  const identities = await apiFromPage(page, 'GET', '/api/v1/accounts/me/identities');
  const googleSub = identities.body.find((i) => i.provider === 'google')?.subject;
  expect(googleSub, 'the Google identity is stored').toBeTruthy();
  expect(await oidc.accessTokens('google', googleSub), 'Google issued a token for the link').toBeGreaterThan(0);

  await google.getByRole('button', { name: 'Unlink Google' }).click();
  const dialog = page.getByRole('dialog', { name: 'Unlink Google?' });
  await expect(dialog).toContainText('You will no longer be able to sign in with Google.');
  await expectAccessible(page);
  await dialog.getByRole('button', { name: 'Unlink Google' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Google' }))
    .toHaveText('Google is no longer linked to your account, and its access was revoked at Google.');
  await expect(google).toContainText('Not linked.');
  await expect(google.getByRole('button', { name: 'Connect Google' })).toBeVisible();
  expect(await oidc.accessTokens('google', googleSub), 'the token was revoked at Google').toBe(0);

  // ORCID is now the only way in: there is no button to remove it, and the reason is shown.
  const orcidRow = socialRow(page, 'ORCID');
  await expect(orcidRow).toContainText('ORCID is the anchor of your account and cannot be unlinked.');
  await expect(orcidRow.getByRole('button', { name: /unlink/i })).toHaveCount(0);
  await expectAccessible(page);
  // Asking anyway (as a script in the page would) is refused with the same explanation.
  const refused = await apiFromPage(page, 'DELETE', '/api/v1/accounts/me/identities/orcid');
  expect(refused.status).toBe(409);
  expect(refused.body.detail).toContain('cannot be unlinked');
  const after = await apiFromPage(page, 'GET', '/api/v1/accounts/me/identities');
  expect(after.body.map((i) => i.provider)).toEqual(['orcid']);
});

test('4. expire the ORCID token; it shows as expired; signing in with ORCID again refreshes it', async ({ page }) => {
  const orcid = randomOrcid();
  await signInWithOrcid(page, orcid);
  await openSocialLogin(page);
  const row = socialRow(page, 'ORCID');
  await expect(row).toContainText('Token valid until');
  expect(await oidc.accessTokens('orcid', orcid), 'ORCID holds the sign-in token').toBe(1);

  await row.getByRole('button', { name: 'Expire ORCID token' }).click();
  const dialog = page.getByRole('dialog', { name: 'Expire your ORCID token?' });
  await expect(dialog).toBeVisible();
  await expectAccessible(page);
  await dialog.getByRole('button', { name: 'Expire token' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'ORCID token' }))
    .toHaveText('Your ORCID token has expired. Sign in with ORCID again to refresh it.');
  await expect(row).toContainText('Token expired on');
  await expect(row.getByRole('button', { name: 'Expire ORCID token' })).toHaveCount(0);
  await expectAccessible(page);
  expect(await oidc.accessTokens('orcid', orcid), 'the token was revoked at ORCID').toBe(0);

  // It stays expired across a reload: it is the server's state, not the page's.
  await page.reload();
  await expect(row).toContainText('Token expired on');

  await throughProvider(page, 'orcid', orcid, () => row.getByRole('link', { name: 'Refresh ORCID token' }).click());
  await backAt(page, '/settings/social');
  await expect(row).toContainText('Token valid until');
  await expect(row.getByRole('button', { name: 'Expire ORCID token' })).toBeVisible();
  await expectAccessible(page);
  expect(await oidc.accessTokens('orcid', orcid), 'a fresh token from ORCID').toBe(1);
});
