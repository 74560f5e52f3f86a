// Journeys 42–44 (issue 18): Profiles as an OpenID Provider, for DataCite's services, repositories
// and journal systems. The client applications are real relying parties built on panva's
// openid-client (support/relying-party.js, and the README's example e2e/examples/signin.mjs),
// each a web server of its own on 127.0.0.1; the person goes through them, Profiles' sign-in and
// the ORCID stand-in in Chromium. Staff register the apps with `profiles clients add` or
// `POST /api/v1/admin/clients`; back-channel logout tokens are sent by the workers.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import * as oidc from 'openid-client';
import { expectAccessible } from '../support/a11y.js';
import { randomOrcid } from '../support/doubles.js';
import { expect, screenshot, test } from '../support/fixtures.js';
import {
  apiFromPage, backAt, expectFlowForm, grantRole, signInAtProvider, signInWithOrcid, signOut, testResearcher,
  throughProvider,
} from '../support/flows.js';
import { registerWithCli, startRelyingParty } from '../support/relying-party.js';
import { E2E_DIR } from '../support/stack.js';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const tag = () => randomBytes(3).toString('hex');

/** Axe, no sideways scrolling and a screenshot at 390 px, then back to 1280. */
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

/** Waits until the browser is on the relying party's `pathname`. */
const atApp = (page, app, pathname) => page.waitForURL((u) => u.origin === app.url && u.pathname === pathname);

/** The value in the row of `claim` of a claims table ("ID token claims", "UserInfo") on an app's page. */
const claimCell = (page, table, claim) => page.getByRole('region', { name: table, exact: true })
  .getByRole('row').filter({ has: page.getByRole('rowheader', { name: claim, exact: true }) }).getByRole('cell');

/** GET /api/v1/accounts/me with this browser's cookies (the Profiles session, if any). */
async function me(page, stack) {
  const res = await page.request.get(`${stack.appUrl}/api/v1/accounts/me`);
  return { status: res.status(), body: await res.json().catch(() => null) };
}

/** Notes the pages the browser shows from now on (a redirect it only passes through is not one). */
function recordNavigations(page) {
  const seen = [];
  const onNav = (frame) => { if (frame === page.mainFrame()) seen.push(frame.url()); };
  page.on('framenavigated', onNav);
  return { seen, stop: () => page.off('framenavigated', onNav) };
}

/** The consent page of `app` for `who`, listing exactly `items`; checked at both widths. */
async function expectConsentPage(page, testInfo, { app, who, items }) {
  await backAt(page, '/oauth/authorize');
  await expect(page).toHaveTitle(`Sign in to ${app} · Profiles`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Sign in to ${app} with Profiles`);
  const main = page.getByRole('main');
  await expect(main).toContainText(`You are signed in to Profiles as ${who}. ${app} is asking to:`);
  await expect(main.getByRole('listitem')).toHaveText(items);
  await expect(main).toContainText(`${app} is not run by Profiles. You can take this back at any time`);
  const allow = main.getByRole('button', { name: 'Allow', exact: true });
  await expectFlowForm(allow, '/oauth/authorize');
  await expect(main.getByRole('button', { name: 'Cancel', exact: true })).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, testInfo, 'consent');
  await atPhoneWidth(page, testInfo, 'consent');
  return allow;
}

test('42. a repository signs a person in with Profiles: the consent page, the ID token and userinfo, refresh token rotation, RP-initiated and back-channel logout, offline_access', async ({ page, stack }, testInfo) => {
  await page.setViewportSize(DESKTOP);
  const orcid = randomOrcid();
  const who = testResearcher(orcid);
  const app = await startRelyingParty({ name: `Example Data Repository ${tag()}` });
  try {
    // Staff register it on the command line; the secret is printed once.
    const registered = await registerWithCli(app, { scopes: ['profile', 'email', 'orcid', 'offline_access'] });
    expect(registered.clientId, registered.output).toMatch(/^pc_/);
    expect(registered.clientSecret, registered.output).toMatch(/^pcs_/);
    expect(registered.issuer, 'the issuer is the public URL, with no trailing slash').toBe(stack.appUrl);
    expect(registered.scopes).toEqual(['openid', 'profile', 'email', 'orcid', 'offline_access']);
    const config = await app.configure({
      issuer: registered.issuer, clientId: registered.clientId, clientSecret: registered.clientSecret,
      auth: 'post', scope: 'openid profile email orcid',
    });
    expect(config.serverMetadata()).toMatchObject({
      issuer: stack.appUrl,
      authorization_endpoint: `${stack.appUrl}/oauth/authorize`,
      token_endpoint: `${stack.appUrl}/oauth/token`,
      end_session_endpoint: `${stack.appUrl}/oauth/logout`,
      code_challenge_methods_supported: ['S256'],
      backchannel_logout_supported: true,
      backchannel_logout_session_supported: true,
    });

    // The app's own page; "Sign in with Profiles" leads to Profiles' sign-in page, which comes
    // back to the authorization request.
    await page.goto(app.url);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(app.name);
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Sign in with Profiles' }).click();
    await backAt(page, '/sign-in');
    const returnTo = new URL(page.url()).searchParams.get('return_to');
    expect(returnTo).toMatch(/^\/oauth\/authorize\?/);
    const asked = new URL(returnTo, stack.appUrl).searchParams;
    expect(Object.fromEntries(['client_id', 'redirect_uri', 'response_type', 'code_challenge_method'].map((k) => [k, asked.get(k)])))
      .toEqual({ client_id: registered.clientId, redirect_uri: app.redirectUri, response_type: 'code', code_challenge_method: 'S256' });
    await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Sign in with ORCID' }).click();
    await signInAtProvider(page, 'orcid', orcid);

    // A third-party app: Profiles asks, naming the app, the person and what it gets.
    const allow = await expectConsentPage(page, testInfo, {
      app: app.name,
      who,
      items: [
        'Know that it is you (a stable identifier for your account)',
        'Your name',
        'Your email address',
        'Your ORCID iD',
      ],
    });
    await allow.click();

    // Back at the app, which checked state, iss, the code's PKCE verifier and the ID token
    // (signature against the JWKS, audience, nonce, expiry), and read userinfo.
    await atApp(page, app, '/callback');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Signed in to ${app.name}`);
    await expect(page.getByRole('main')).toContainText(`Signed in with Profiles as ${who}.`);
    const account = await me(page, stack);
    expect(account.status).toBe(200);
    // (The app's session object changes as it goes: keep copies of what it holds now.)
    const first = { claims: { ...app.signedIn().claims }, userinfo: { ...app.signedIn().userinfo }, tokens: { ...app.signedIn().tokens } };
    expect(first.claims).toMatchObject({
      iss: stack.appUrl, aud: registered.clientId, azp: registered.clientId, name: who, orcid: account.body.orcid_url,
    });
    expect(first.claims.sub).toMatch(UUID);
    expect(first.claims.sid).toMatch(UUID);
    expect(first.claims.email, 'ORCID gave no email').toBeUndefined();
    expect(first.userinfo).toEqual({
      sub: first.claims.sub, name: who, given_name: 'Test', family_name: `Researcher ${orcid}`, orcid: account.body.orcid_url,
    });
    expect(account.body.orcid_url).toBe(`${stack.urls.orcid}/${orcid}`);
    expect(first.tokens.expires_in, 'access tokens live 15 minutes').toBe(900);
    for (const [table, claim, value] of [
      ['ID token claims', 'sub', first.claims.sub], ['ID token claims', 'name', who], ['ID token claims', 'orcid', account.body.orcid_url],
      ['ID token claims', 'aud', registered.clientId], ['UserInfo', 'sub', first.claims.sub], ['UserInfo', 'orcid', account.body.orcid_url],
    ]) await expect(claimCell(page, table, claim), `${table}: ${claim}`).toHaveText(value);
    await expectAccessible(page);
    await screenshot(page, testInfo, 'signed-in');

    // Refresh: a new refresh token replaces the old one.
    const firstRefresh = first.tokens.refresh_token;
    await page.getByRole('button', { name: 'Refresh tokens' }).click();
    await atApp(page, app, '/refresh');
    await expect(page.getByRole('status')).toContainText(`replaced …${firstRefresh.slice(-6)}`);
    const rotated = app.signedIn().tokens;
    const rotatedClaims = rotated.claims();
    expect(rotated.refresh_token).toMatch(/^prt_/);
    expect(rotated.refresh_token).not.toBe(firstRefresh);
    expect(rotatedClaims).toMatchObject({ sub: first.claims.sub, sid: first.claims.sid });
    await expectAccessible(page);

    // The old refresh token again (as a thief who copied it would): refused, and the whole
    // sign-in is revoked, so the new one is refused too, and its access token stops at once.
    expect(await app.refreshWith(firstRefresh)).toMatchObject({
      error: 'invalid_grant', description: 'The refresh token was used already; every token of this sign-in is revoked.',
    });
    await expect(oidc.fetchUserInfo(config, rotated.access_token, first.claims.sub)).rejects.toMatchObject({ status: 401 });
    await page.getByRole('button', { name: 'Refresh tokens' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Refresh refused');
    await expect(page.getByRole('main')).toContainText('invalid_grant');
    expect(app.signedIn().refreshError).toMatchObject({ error: 'invalid_grant', description: 'The refresh token was revoked, or its session has ended.' });
    await expectAccessible(page);
    expect((await me(page, stack)).status, 'the Profiles session itself goes on').toBe(200);

    // Signing in to the app again: Profiles knows the person and their consent, so the browser
    // goes straight back to the app (no Profiles page on the way), in the same Profiles session.
    const trip = recordNavigations(page);
    await page.goto(`${app.url}/login`);
    await atApp(page, app, '/callback');
    trip.stop();
    expect(trip.seen.filter((u) => u.startsWith(stack.appUrl)), 'no Profiles page on the way').toEqual([]);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Signed in to ${app.name}`);
    const again = { claims: { ...app.signedIn().claims }, tokens: { ...app.signedIn().tokens } };
    expect(again.claims).toMatchObject({ sub: first.claims.sub, sid: first.claims.sid });
    expect(again.tokens.refresh_token).not.toBe(rotated.refresh_token);

    // RP-initiated logout: the app sends the browser to Profiles' end_session_endpoint with its ID
    // token; Profiles signs the person out and comes back to the app's post-logout page.
    const ending = recordNavigations(page);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await atApp(page, app, '/signed-out');
    ending.stop();
    expect(ending.seen.filter((u) => u.startsWith(stack.appUrl)), 'no confirmation page: the ID token proved the session').toEqual([]);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`You are signed out of ${app.name}`);
    await expectAccessible(page);
    expect(await me(page, stack), 'the Profiles session is gone').toMatchObject({ status: 401 });
    await page.goto('/settings');
    await expect(page.getByRole('main').getByRole('heading', { level: 2, name: 'Please sign in' })).toBeVisible();
    await expectAccessible(page);

    // Back-channel logout: a worker POSTs a logout token for that session, signed by the
    // issuer's keys (the app verifies it against the JWKS), once.
    await expect.poll(() => app.logoutTokens.length, { message: 'the back-channel logout token arrives', timeout: 20_000 }).toBe(1);
    const [logout] = app.logoutTokens;
    expect(logout.error, 'the app accepted the logout token').toBeUndefined();
    expect(logout).toMatchObject({
      verified: true,
      header: { alg: 'RS256', typ: 'logout+jwt' },
      claims: { iss: stack.appUrl, aud: registered.clientId, sub: first.claims.sub, sid: first.claims.sid, events: { [BACKCHANNEL_EVENT]: {} } },
    });
    expect(logout.claims.nonce).toBeUndefined();
    await new Promise((r) => { setTimeout(r, 1500); });
    expect(app.logoutTokens, 'one logout token: the sign-in revoked for the reused token is not told again').toHaveLength(1);

    // The app's last tokens are dead too.
    expect(await app.refreshWith(again.tokens.refresh_token)).toMatchObject({ error: 'invalid_grant' });
    expect(await oidc.tokenIntrospection(config, again.tokens.access_token)).toMatchObject({ active: false });

    // offline_access: a new scope, so Profiles asks again (after signing in, the Profiles session
    // having ended); such a sign-in outlives the Profiles session.
    await page.goto(`${app.url}/login?scope=${encodeURIComponent('openid profile email orcid offline_access')}`);
    await backAt(page, '/sign-in');
    await throughProvider(page, 'orcid', orcid, () => page.getByRole('link', { name: 'Sign in with ORCID' }).click());
    await backAt(page, '/oauth/authorize');
    await expect(page.getByRole('main').getByRole('listitem').last())
      .toHaveText('Keep access while you are signed out of Profiles (until you revoke it, or 30 days unused)');
    await expectAccessible(page);
    await screenshot(page, testInfo, 'consent-offline-access');
    await page.getByRole('button', { name: 'Allow', exact: true }).click();
    await atApp(page, app, '/callback');
    const offline = { claims: { ...app.signedIn().claims }, tokens: { ...app.signedIn().tokens } };
    expect(offline.claims).toMatchObject({ sub: first.claims.sub, aud: registered.clientId });
    // A logout request that does not prove which session it is for (no id_token_hint) is asked
    // about first, naming the app.
    await page.goto(`${stack.appUrl}/oauth/logout?client_id=${encodeURIComponent(registered.clientId)}`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign out of Profiles?');
    await expect(page.getByRole('main')).toContainText(`${app.name} asks to sign you out.`);
    await expectAccessible(page);
    await screenshot(page, testInfo, 'logout-confirm');
    // The app's own sign-out sends this session's ID token: Profiles signs out at once and sends
    // the person back to the app's post-logout page.
    await page.goto(app.url);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await atApp(page, app, '/signed-out');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`You are signed out of ${app.name}`);
    // The app still hears that the session ended (back-channel), though its sign-in stays.
    await expect.poll(() => app.logoutTokens.length, { timeout: 15_000 }).toBe(2);
    expect(await me(page, stack), 'signed out of Profiles').toMatchObject({ status: 401 });
    // …and its refresh token still works (rotating), until the person revokes the app.
    const kept = await app.refreshWith(offline.tokens.refresh_token);
    expect(kept.error, kept.description).toBeUndefined();
    expect(await oidc.fetchUserInfo(config, kept.tokens.access_token, first.claims.sub)).toMatchObject({ sub: first.claims.sub });
  } finally {
    await app.stop();
  }
});

test('43. a DataCite service a staff admin registers as first-party signs people in without a consent page; signing out of Profiles signs them out of it', async ({ page, newPage, stack }) => {
  const orcid = randomOrcid();
  const app = await startRelyingParty({ name: `DataCite Commons (e2e ${tag()})` });
  try {
    // A staff admin registers it through the API, from their browser session: a public client
    // (PKCE alone, like a single-page app) that needs no consent.
    const admin = await newPage();
    const adminOrcid = randomOrcid();
    await signInWithOrcid(admin, adminOrcid);
    await grantRole(adminOrcid, 'staff_admin');
    const body = {
      name: app.name,
      redirect_uris: [app.redirectUri],
      allowed_scopes: ['profile', 'orcid', 'datacite'],
      public: true,
      first_party: true,
      post_logout_redirect_uris: [app.postLogoutRedirectUri],
      backchannel_logout_uri: app.backchannelLogoutUri,
    };
    const registered = await apiFromPage(admin, 'POST', '/api/v1/admin/clients', body);
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    expect(registered.body).toMatchObject({
      client: { name: app.name, kind: 'public', first_party: true, redirect_uris: [app.redirectUri], allowed_scopes: ['openid', 'profile', 'orcid', 'datacite'] },
      client_secret: null,
    });
    const clientId = registered.body.client.client_id;
    await app.configure({ issuer: stack.appUrl, clientId, auth: 'none', scope: 'openid profile orcid datacite' });

    // The person: the app → Profiles' sign-in → ORCID → straight back to the app, no consent page.
    await page.goto(app.url);
    await expectAccessible(page);
    const trip = recordNavigations(page);
    await page.getByRole('link', { name: 'Sign in with Profiles' }).click();
    await backAt(page, '/sign-in');
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Sign in with ORCID' }).click();
    await signInAtProvider(page, 'orcid', orcid);
    await atApp(page, app, '/callback');
    trip.stop();
    expect(trip.seen.filter((u) => new URL(u).pathname === '/oauth/authorize'), 'no consent page').toEqual([]);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Signed in to ${app.name}`);
    await expectAccessible(page);
    const signedIn = { claims: { ...app.signedIn().claims }, userinfo: { ...app.signedIn().userinfo }, tokens: { ...app.signedIn().tokens } };
    const account = await me(page, stack);
    // `datacite`: what DataCite's services read today from the `_datacite` cookie's JWT.
    expect(signedIn.userinfo).toEqual({
      sub: signedIn.claims.sub,
      name: testResearcher(orcid),
      given_name: 'Test',
      family_name: `Researcher ${orcid}`,
      orcid: account.body.orcid_url,
      uid: orcid,
      role_id: 'user',
      beta_tester: false,
      // The ORCID token of the sign-in itself, as in the `_datacite` cookie's JWT.
      has_orcid_token: true,
    });
    await expect(claimCell(page, 'UserInfo', 'uid')).toHaveText(orcid);

    // On Profiles, the person's apps: this one, first-party, signed in once, never asked.
    await page.goto('/settings');
    await expect(page.getByRole('heading', { level: 1, name: 'Personal settings' })).toBeVisible();
    await expectAccessible(page);
    const apps = await apiFromPage(page, 'GET', '/api/v1/accounts/me/apps');
    expect(apps.status, JSON.stringify(apps.body)).toBe(200);
    expect(apps.body.data).toEqual([expect.objectContaining({ client_id: clientId, name: app.name, first_party: true, active_sign_ins: 1 })]);
    // Only staff register apps.
    const refused = await apiFromPage(page, 'POST', '/api/v1/admin/clients', { ...body, name: 'Not mine' });
    expect(refused.status).toBe(403);

    // Signing out of Profiles itself (its user menu) ends the app's session too: a worker tells
    // it by back-channel logout, and the app's page says so.
    await signOut(page, testResearcher(orcid));
    await expectAccessible(page);
    await expect.poll(() => app.logoutTokens.length, { message: 'the back-channel logout token arrives', timeout: 20_000 }).toBe(1);
    expect(app.logoutTokens[0]).toMatchObject({
      verified: true, claims: { aud: clientId, sub: signedIn.claims.sub, sid: signedIn.claims.sid, events: { [BACKCHANNEL_EVENT]: {} } },
    });
    await page.goto(app.url);
    await expect(page.getByRole('status')).toHaveText('Profiles ended your session (back-channel logout).');
    await expect(page.getByRole('link', { name: 'Sign in with Profiles' })).toBeVisible();
    await expectAccessible(page);
    expect(await app.refreshWith(signedIn.tokens.refresh_token)).toMatchObject({ error: 'invalid_grant' });
  } finally {
    await app.stop();
  }
});

/** A port that was free a moment ago. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

test('44. the README\'s openid-client example signs a person in: it prints the login URL, then the ID token\'s claims and userinfo', async ({ page, stack }) => {
  const orcid = randomOrcid();
  const port = await freePort();
  const name = `My repository ${tag()}`;
  const registered = await registerWithCli({ name, redirectUri: `http://127.0.0.1:${port}/callback` }, { scopes: ['profile', 'orcid'] });
  const example = spawn(process.execPath, [path.join(E2E_DIR, 'examples/signin.mjs')], {
    env: { ...process.env, ISSUER: registered.issuer, CLIENT_ID: registered.clientId, CLIENT_SECRET: registered.clientSecret, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let errOut = '';
  example.stderr.on('data', (d) => { errOut += d; });
  const exited = new Promise((resolve) => { example.on('exit', (code) => resolve(code)); });
  try {
    const loginUrl = await new Promise((resolve, reject) => {
      createInterface({ input: example.stdout }).on('line', (line) => {
        out += `${line}\n`;
        const m = /^Open (\S+)$/.exec(line);
        if (m) resolve(m[1]);
      });
      example.on('exit', (code) => reject(new Error(`the example exited with ${code}: ${errOut}`)));
    });
    expect(loginUrl.startsWith(`${stack.appUrl}/oauth/authorize?`)).toBe(true);

    await page.goto(loginUrl);
    await backAt(page, '/sign-in');
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Sign in with ORCID' }).click();
    await signInAtProvider(page, 'orcid', orcid);
    await backAt(page, '/oauth/authorize');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Sign in to ${name} with Profiles`);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Allow', exact: true }).click();
    await page.waitForURL((u) => u.origin === `http://127.0.0.1:${port}` && u.pathname === '/callback');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Signed in');
    await expectAccessible(page);

    expect(await exited, errOut).toBe(0);
    const claims = JSON.parse(/^ID token claims: (\{[\s\S]*?^\})$/m.exec(out)[1]);
    const userinfo = JSON.parse(/^userinfo: (\{[\s\S]*?^\})$/m.exec(out)[1]);
    const orcidUrl = `${stack.urls.orcid}/${orcid}`;
    expect(claims).toMatchObject({ iss: stack.appUrl, aud: registered.clientId, name: testResearcher(orcid), orcid: orcidUrl });
    expect(userinfo).toEqual({
      sub: claims.sub, name: testResearcher(orcid), given_name: 'Test', family_name: `Researcher ${orcid}`, orcid: orcidUrl,
    });
  } finally {
    if (example.exitCode === null) example.kill();
  }
});
