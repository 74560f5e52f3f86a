// Journeys 22–25: nobody is signed in, and no session ended. A first-time visitor opening a
// settings link is asked to sign in and comes back to that page; cancelling at ORCID, Google or
// GitHub lands on the sign-in page saying so; a GitHub-first sign-up is not interrupted, neither by
// cancelling at ORCID nor by an old session cookie of the browser. None of them is ever told
// "Your session has ended".
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { expectAccessible } from '../support/a11y.js';
import { randomOrcid } from '../support/doubles.js';
import { expect, test } from '../support/fixtures.js';
import {
  apiFromPage, authorizeAtGithub, backAt, expectFlowForm, openSocialLogin, signInAtProvider, signInWithOrcid,
  socialRow, throughProvider,
} from '../support/flows.js';
import { ARTIFACTS, currentStack } from '../support/stack.js';

const origin = (url) => new URL(url).origin;

/** A screenshot of the moment that matters, next to the one the fixture takes at the end. */
async function screenshot(page, name) {
  const dir = path.join(ARTIFACTS, 'screenshots');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

/** Nothing on the page says a session ended. */
async function expectNoSessionEnded(page) {
  await expect(page.getByText(/session has ended/i)).toHaveCount(0);
}

/** On the provider's own page (it must be on screen now), the person cancels instead of signing in. */
async function cancelAtProvider(page, which) {
  const { urls } = currentStack();
  if (which === 'github') {
    await page.waitForURL((u) => u.origin === origin(urls.github) && u.pathname === '/login/oauth/authorize');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Cancel' }).click();
    return;
  }
  await page.waitForURL((u) => u.origin === origin(urls[which]) && u.pathname.startsWith('/interaction/'));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Sign in to ${which === 'orcid' ? 'ORCID' : 'Google'}`);
  await expectAccessible(page);
  await page.getByRole('link', { name: 'Cancel and return to the application' }).click();
}

/** The sign-in page after a cancelled sign-in: it says so, and would still come back to `returnTo`. */
async function expectCancelledSignIn(page, returnTo) {
  await backAt(page, '/sign-in');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await expect(page.getByRole('alert')).toContainText('Sign-in was cancelled.');
  await expectNoSessionEnded(page);
  expect(new URL(page.url()).searchParams.get('return_to')).toBe(returnTo);
  await expect(page.getByRole('link', { name: 'Sign in with ORCID' }))
    .toHaveAttribute('href', `/auth/orcid/start?return_to=${encodeURIComponent(returnTo)}`);
  await expectAccessible(page);
}

test('22. a first-time visitor opening a settings link is asked to sign in, and comes back to that page', async ({ page }) => {
  const orcid = randomOrcid();

  await page.goto('/settings/social');
  await expect(page.getByRole('heading', { level: 1, name: 'Personal settings' })).toBeVisible();
  const main = page.getByRole('main');
  await expect(main.getByRole('heading', { level: 2, name: 'Please sign in' })).toBeVisible();
  await expectNoSessionEnded(page);
  await expect(page.getByRole('alert')).toHaveCount(0);
  const signIn = main.getByRole('link', { name: 'Sign in', exact: true });
  await expect(signIn).toHaveAttribute('href', '/sign-in?return_to=%2Fsettings%2Fsocial');
  // The header's "Sign in" comes back here too.
  await expect(page.getByRole('banner').getByRole('link', { name: 'Sign in' }))
    .toHaveAttribute('href', '/sign-in?return_to=%2Fsettings%2Fsocial');
  await expectAccessible(page);
  await screenshot(page, 'journey-22-please-sign-in');

  await signIn.click();
  await backAt(page, '/sign-in');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expectAccessible(page);
  await page.getByRole('link', { name: 'Sign in with ORCID' }).click();
  await signInAtProvider(page, 'orcid', orcid);

  // Back on the page the link was for, signed in.
  await backAt(page, '/settings/social');
  await expect(page.getByRole('heading', { level: 2, name: 'Social login' })).toBeVisible();
  await expect(socialRow(page, 'ORCID')).toContainText(`Linked to ORCID iD ${orcid}.`);
  await expectAccessible(page);
});

test('23. cancelling at ORCID, Google or GitHub lands on the sign-in page: "Sign-in was cancelled"', async ({ page }) => {
  const orcid = randomOrcid();

  await page.goto('/settings/claims');
  await expect(page.getByRole('heading', { level: 2, name: 'Please sign in' })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole('main').getByRole('link', { name: 'Sign in', exact: true }).click();
  await backAt(page, '/sign-in');
  await expectAccessible(page);

  for (const [which, name] of [['orcid', 'ORCID'], ['google', 'Google'], ['github', 'GitHub']]) {
    await page.getByRole('link', { name: `Sign in with ${name}` }).click();
    await cancelAtProvider(page, which);
    // The provider sends `error=access_denied` back; nobody is signed in, and no session ended.
    await expectCancelledSignIn(page, '/settings/claims');
    await screenshot(page, `journey-23-cancelled-at-${which}`);
    expect((await apiFromPage(page, 'GET', '/api/v1/accounts/me')).body.code).toBe('unauthenticated');
  }

  // The notice goes away when dismissed, and signing in from here still comes back to the page.
  await page.getByRole('alert').getByRole('button', { name: 'Dismiss' }).click();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await page.getByRole('link', { name: 'Sign in with ORCID' }).click();
  await signInAtProvider(page, 'orcid', orcid);
  await backAt(page, '/settings/claims');
  await expect(page.getByRole('region', { name: 'Search & Link', exact: true })).toBeVisible();
  await expectAccessible(page);
});

test('24. midway through a GitHub-first sign-up, cancelling at ORCID comes back to the linking page, uninterrupted', async ({ page }) => {
  const orcid = randomOrcid();
  const login = `e2e-${randomBytes(4).toString('hex')}`;

  await page.goto('/sign-in?return_to=/settings');
  await expectAccessible(page);
  await page.getByRole('link', { name: 'Sign in with GitHub' }).click();
  await authorizeAtGithub(page, login);
  await backAt(page, '/link-orcid');
  const question = page.getByRole('heading', { level: 2, name: /^Connect the GitHub account .+ to your ORCID iD\?$/ });
  await expect(question).toContainText(login);
  await expectNoSessionEnded(page);
  await expectAccessible(page);

  const confirm = page.getByRole('main').getByRole('button', { name: 'Yes, sign in with ORCID' });
  await expectFlowForm(confirm, '/auth/orcid/start');
  await confirm.click();
  await cancelAtProvider(page, 'orcid');

  // Back on the linking step, the sign-up still waiting: nothing ended, nothing to start over.
  await backAt(page, '/link-orcid');
  await expect(page.getByRole('alert'))
    .toHaveText(/^Signing in with ORCID was cancelled, so nothing was linked yet\. You can confirm again below\./);
  await expect(question).toContainText(login);
  await expectNoSessionEnded(page);
  await expect(page.getByRole('heading', { name: 'Please sign in' })).toHaveCount(0);
  await expectAccessible(page);
  await screenshot(page, 'journey-24-link-orcid-after-cancel');

  // Confirming again finishes it.
  await expectFlowForm(confirm, '/auth/orcid/start');
  await confirm.click();
  await signInAtProvider(page, 'orcid', orcid);
  await backAt(page, '/settings');
  await expect(page.locator('.lead').first()).toContainText(orcid);
  await expectAccessible(page);
  await openSocialLogin(page);
  await expect(socialRow(page, 'GitHub')).toContainText(login);
  await expectAccessible(page);
});

test('25. a GitHub-first sign-up in a browser with an old, revoked session cookie is not interrupted', async ({ page, newPage }) => {
  const orcid = randomOrcid();
  const login = `e2e-${randomBytes(4).toString('hex')}`;

  // Someone signed in here once; that session was then ended from another browser, so this one
  // still holds a cookie naming a session that is gone.
  await signInWithOrcid(page, orcid);
  const elsewhere = await newPage();
  await signInWithOrcid(elsewhere, orcid);
  expect((await apiFromPage(elsewhere, 'DELETE', '/api/v1/accounts/me/sessions')).status).toBe(200);

  // Straight to GitHub, as from a link on another DataCite site: a GitHub account not linked yet.
  await page.goto('/auth/github/start?return_to=/settings');
  await authorizeAtGithub(page, login);
  await backAt(page, '/link-orcid');
  const question = page.getByRole('heading', { level: 2, name: /^Connect the GitHub account .+ to your ORCID iD\?$/ });
  await expect(question).toContainText(login);
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expectNoSessionEnded(page);
  await expectAccessible(page);
  await screenshot(page, 'journey-25-link-orcid-with-old-cookie');

  // The sign-up is still waiting when the person confirms it (ORCID may still know them).
  const confirm = page.getByRole('main').getByRole('button', { name: 'Yes, sign in with ORCID' });
  await expectFlowForm(confirm, '/auth/orcid/start');
  await throughProvider(page, 'orcid', orcid, () => confirm.click());
  await backAt(page, '/settings');
  await expect(page.locator('.lead').first()).toContainText(orcid);
  await expectAccessible(page);
  await openSocialLogin(page);
  await expect(socialRow(page, 'GitHub')).toContainText(login);
  await expectAccessible(page);
  await elsewhere.reload();
  await expect(elsewhere.getByRole('heading', { level: 1, name: 'Personal settings' })).toBeVisible();
  await expectAccessible(elsewhere);
});
