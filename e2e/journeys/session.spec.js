// Journey 11: signing out ends the session on the server; JWTs do not outlive their expiry (the
// suite runs the server with JWT_TTL_SECS=4, see support/stack.js). Journey 15: a guarded action
// after an old sign-in asks to sign in again, without signing out.
import { expectAccessible } from '../support/a11y.js';
import { randomOrcid } from '../support/doubles.js';
import { expect, test } from '../support/fixtures.js';
import {
  ageSignIn, apiFromPage, backAt, signInAtProvider, signInWithOrcid, signOut, testResearcher,
} from '../support/flows.js';
import { JWT_TTL_SECS } from '../support/stack.js';

/** Calls the API from outside any browser, with exactly the credentials given. */
async function callApi(stack, { bearer, cookie }) {
  const headers = {};
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  if (cookie) headers.Cookie = cookie;
  const res = await fetch(`${stack.appUrl}/api/v1/accounts/me`, { headers });
  const body = await res.json().catch(() => null);
  return { status: res.status, code: body?.code, orcid: body?.orcid };
}

/** A JWT for the page's session, from POST /api/v1/tokens as DataCite's other services ask for one. */
async function issueJwt(page) {
  const { status, body } = await apiFromPage(page, 'POST', '/api/v1/tokens');
  expect(status).toBe(201);
  expect(body.token_type).toBe('Bearer');
  expect(body.expires_in).toBe(JWT_TTL_SECS);
  return body;
}

const sleepUntil = (epochSecs) => new Promise((r) => { setTimeout(r, Math.max(0, epochSecs * 1000 - Date.now())); });

test('11. sign out: the old session cookie stops working; a JWT issued before is rejected once it expires', async ({ page, newPage, stack }) => {
  const orcid = randomOrcid();
  await signInWithOrcid(page, orcid);
  const [session] = (await page.context().cookies()).filter((c) => c.name === 'profiles_session');
  expect(session, 'the session cookie').toBeTruthy();
  const oldCookie = `${session.name}=${session.value}`;
  expect(await callApi(stack, { cookie: oldCookie })).toMatchObject({ status: 200, orcid });

  // The same person in a second browser: that session stays open throughout.
  const elsewhere = await newPage();
  await signInWithOrcid(elsewhere, orcid);

  const before = await issueJwt(page);
  expect(await callApi(stack, { bearer: before.access_token })).toMatchObject({ status: 200, orcid });

  await signOut(page, testResearcher(orcid));
  await expectAccessible(page);

  // A copy of the old cookie is refused: the session ended on the server, not just in this browser.
  expect(await callApi(stack, { cookie: oldCookie })).toMatchObject({ status: 401, code: 'session_expired' });
  // And this browser is signed out, as the person asked: Settings asks them to sign in (back there).
  await page.goto('/settings');
  await expect(page.getByRole('main').getByRole('heading', { level: 2, name: 'Please sign in' })).toBeVisible();
  await expect(page.getByRole('main').getByRole('link', { name: 'Sign in', exact: true }))
    .toHaveAttribute('href', '/sign-in?return_to=%2Fsettings');
  await expect(page.getByText('Your session has ended')).toHaveCount(0);
  await expectAccessible(page);
  // A browser still holding the old cookie is told that its session has ended.
  const stale = await newPage();
  await stale.context().addCookies([session]);
  await stale.goto('/settings');
  await expect(stale.getByRole('alert')).toContainText('Your session has ended.');
  await expect(stale.getByRole('alert').getByRole('link', { name: 'Sign in again' })).toBeVisible();
  await expectAccessible(stale);
  await page.goto('/');
  await expect(page.getByRole('main').getByRole('link', { name: 'Sign in' })).toBeVisible();
  await expectAccessible(page);

  // A JWT from the session that was signed out: refused now, as its session has ended…
  expect(await callApi(stack, { bearer: before.access_token })).toMatchObject({ status: 401, code: 'session_revoked' });
  // …and a JWT from a session that is still open works until it expires, then is refused.
  const live = await issueJwt(elsewhere);
  expect(await callApi(stack, { bearer: live.access_token })).toMatchObject({ status: 200, orcid });
  await sleepUntil(live.expires_at + 1);
  expect(await callApi(stack, { bearer: live.access_token })).toMatchObject({ status: 401, code: 'token_expired' });
  expect(await callApi(stack, { bearer: before.access_token })).toMatchObject({ status: 401, code: 'token_expired' });
  // The open session itself is unaffected: the browser simply asks for a new token.
  await elsewhere.reload();
  await backAt(elsewhere, '/settings');
  await expect(elsewhere.getByRole('heading', { level: 1, name: 'Personal settings' })).toBeVisible();
  await expect(elsewhere.locator('.lead').first()).toContainText(orcid);
  const fresh = await issueJwt(elsewhere);
  expect(await callApi(stack, { bearer: fresh.access_token })).toMatchObject({ status: 200, orcid });
});

test('15. a guarded action after an old sign-in asks to sign in again; back on the page, it works', async ({ page }) => {
  const orcid = randomOrcid();
  await signInWithOrcid(page, orcid);
  // Signed in 11 minutes ago: creating an API token needs a sign-in within the last 10.
  await ageSignIn(orcid, 11);

  // Your account → API tokens, a page of its own.
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'API tokens' }).click();
  await backAt(page, '/settings/tokens');
  const box = page.getByRole('region', { name: 'API tokens' });
  const create = async () => {
    await box.getByLabel('Name').fill('e2e sync');
    await box.getByRole('checkbox', { name: 'Read claims (claims:read)' }).check();
    await box.getByRole('button', { name: 'Create token' }).click();
  };
  await create();
  const alert = box.getByRole('alert');
  await expect(alert).toHaveText(/^The token was not created\. For your security, sign in again to do this\./);
  // Still signed in: the user menu and the settings stay, nothing says the session has ended.
  await expect(page.getByRole('button', { name: testResearcher(orcid) })).toBeVisible();
  await expect(page.getByText('Your session has ended')).toHaveCount(0);
  await expectAccessible(page);
  expect((await apiFromPage(page, 'GET', '/api/v1/accounts/me')).status).toBe(200);

  const again = alert.getByRole('link', { name: 'Sign in again' });
  await expect(again).toHaveAttribute('href', '/auth/orcid/start?reauthenticate=true&return_to=%2Fsettings%2Ftokens');
  await again.click();
  // ORCID asks for the password again, whatever its own session in this browser says.
  await signInAtProvider(page, 'orcid', orcid);
  await backAt(page, '/settings/tokens');
  await expect(box).toBeVisible();
  await expectAccessible(page);

  await create();
  await expect(box.getByRole('region', { name: 'Your new token “e2e sync”' })).toBeVisible();
  await expect(box.getByRole('alert')).toHaveCount(0);
  await expectAccessible(page);
});
