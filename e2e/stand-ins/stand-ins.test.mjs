// Drives each identity-provider stand-in through a full authorization-code flow the way a
// server-side client does: plain fetch, redirects not followed, cookies kept by hand.
// Run: npm test (node --test) in e2e/stand-ins.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import {
  startOidc, tokenInfo, normalizeOrcid, ORCID_FIXTURES, GOOGLE_FIXTURES, ORCID_TOKEN_TTL,
} from './oidc.mjs';
import { startGithub, GITHUB_FIXTURES } from './github.mjs';
import { startOrcidApi } from './orcid-api.mjs';

const APP = 'http://127.0.0.1:8080';

/** A browser stand-in: a cookie jar (name → value; path and expiry ignored) and manual redirects. */
function browser() {
  const jar = new Map();
  async function request(url, { method = 'GET', form, headers = {} } = {}) {
    const res = await fetch(url, {
      method,
      redirect: 'manual',
      headers: {
        ...headers,
        ...(jar.size ? { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const expired = attrs.some((a) => /^\s*expires=/i.test(a) && new Date(a.split('=')[1]) < new Date());
      if (expired || value === '') jar.delete(name); else jar.set(name, value);
    }
    return res;
  }
  return { request, jar };
}

const location = (res, base) => new URL(res.headers.get('location'), base).toString();

/** The <form method="post"> action and its hidden fields, from one of the stand-ins' pages. */
function formOf(html) {
  const action = html.match(/<form method="post" action="([^"]+)"/)[1].replaceAll('&amp;', '&');
  const hidden = Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)]
    .map(([, k, v]) => [k, v.replaceAll('&amp;', '&').replaceAll('&quot;', '"')]));
  return { action, hidden };
}

function decodeJwt(jwt) {
  const [header, payload] = jwt.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url')));
  return { header, payload };
}

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

const form = (obj) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
  body: new URLSearchParams(obj).toString(),
});

/** POST a JSON registration request; returns [status, body]. */
async function registerClient(url, body) {
  const res = await fetch(url, {
    method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body),
  });
  return [res.status, await res.json()];
}

/** Resolve with the next line a child prints on stdout (rejects if it exits first). */
function lines(child) {
  const rl = createInterface({ input: child.stdout });
  const queue = [];
  const waiting = [];
  rl.on('line', (l) => (waiting.length ? waiting.shift().resolve(l) : queue.push(l)));
  child.on('exit', (code) => { for (const w of waiting.splice(0)) w.reject(new Error(`child exited (${code}) before printing a line`)); });
  return () => (queue.length ? Promise.resolve(queue.shift()) : new Promise((resolve, reject) => waiting.push({ resolve, reject })));
}

/** Resolve with the child's exit code, or fail after `ms`. */
async function exitCode(child, ms = 5000) {
  if (child.exitCode !== null) return child.exitCode;
  let timer;
  try {
    return await Promise.race([
      once(child, 'exit').then(([code]) => code),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`child still running after ${ms} ms`)), ms); }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const CLI = new URL('./cli.mjs', import.meta.url).pathname;

/**
 * Sign in through an OIDC stand-in and return the `code` the client receives, following the
 * documented steps: authorize → login page → POST login → resume → redirect_uri?code.
 */
async function oidcSignIn(op, authPath, params, login, { expectConsent = false } = {}) {
  const b = browser();
  const authorize = `${op.issuer}${authPath}?${new URLSearchParams({ response_type: 'code', ...params })}`;
  let res = await b.request(authorize);
  assert.equal(res.status, 303, 'authorize redirects to the interaction');
  let next = location(res, op.issuer);
  assert.match(next, /\/interaction\/[\w-]+$/);

  res = await b.request(next);
  assert.equal(res.status, 200);
  const page = await res.text();
  assert.match(page, /<label for="login">/);
  const { action, hidden } = formOf(page);
  assert.equal(action, next, 'the login form posts back to the interaction URL');
  assert.equal(hidden.prompt, 'login');

  res = await b.request(action, { method: 'POST', form: { prompt: 'login', login, password: 'x' } });
  assert.equal(res.status, 303);
  res = await b.request(location(res, op.issuer));
  assert.equal(res.status, 303);
  next = location(res, op.issuer);

  if (expectConsent) {
    assert.match(next, /\/interaction\/[\w-]+$/);
    res = await b.request(next);
    assert.match(await res.text(), /Authorize access/);
    res = await b.request(next, { method: 'POST', form: { prompt: 'consent' } });
    assert.equal(res.status, 303);
    res = await b.request(location(res, op.issuer));
    assert.equal(res.status, 303);
    next = location(res, op.issuer);
  }

  const callback = new URL(next);
  assert.equal(`${callback.origin}${callback.pathname}`, params.redirect_uri);
  assert.equal(callback.searchParams.get('state'), params.state);
  assert.equal(callback.searchParams.get('iss'), op.issuer);
  return { code: callback.searchParams.get('code'), browser: b };
}

describe('ORCID stand-in', () => {
  const client = { client_id: 'APP-TEST0000000001', client_secret: 'orcid-secret', redirect_uris: [`${APP}/auth/orcid/callback`, `${APP}/auth/orcid/grant/callback`] };
  const redirect_uri = client.redirect_uris[0];
  let op;
  before(async () => { op = await startOidc({ flavour: 'orcid', port: 0, clients: [client] }); });
  after(() => op.close());

  const exchange = (code, extra = {}) => fetch(`${op.issuer}/oauth/token`, form({
    client_id: client.client_id, client_secret: client.client_secret, grant_type: 'authorization_code', code, redirect_uri, ...extra,
  }));

  test('issuer is exact and discovery looks like ORCID', async () => {
    assert.equal(op.issuer, `http://127.0.0.1:${op.port}`);
    const doc = await (await fetch(`${op.issuer}/.well-known/openid-configuration`)).json();
    assert.equal(doc.issuer, op.issuer);
    assert.equal(doc.authorization_endpoint, `${op.issuer}/oauth/authorize`);
    assert.equal(doc.token_endpoint, `${op.issuer}/oauth/token`);
    assert.equal(doc.userinfo_endpoint, `${op.issuer}/oauth/userinfo`);
    assert.equal(doc.jwks_uri, `${op.issuer}/oauth/jwks`);
    assert.deepEqual(doc.token_endpoint_auth_methods_supported, ['client_secret_post']);
    assert.equal(doc.code_challenge_methods_supported, undefined);
    assert.ok(!doc.claims_supported.includes('email'));
  });

  test('normalizeOrcid checks the check digit', () => {
    assert.equal(normalizeOrcid('https://orcid.org/0000-0002-9079-593x'), '0000-0002-9079-593X');
    assert.equal(normalizeOrcid('0000000218250097'), '0000-0002-1825-0097');
    assert.equal(normalizeOrcid('0000-0002-1825-0098'), null);
    for (const f of ORCID_FIXTURES) assert.equal(normalizeOrcid(f.orcid), f.orcid);
  });

  test('sign-in with openid: token response, id_token, userinfo, refresh, revoke', async () => {
    const nonce = randomBytes(8).toString('hex');
    const { code } = await oidcSignIn(op, '/oauth/authorize', {
      client_id: client.client_id, scope: 'openid', redirect_uri, state: 's1', nonce,
    }, '0000-0002-1825-0097');
    assert.ok(code);

    const res = await exchange(code);
    assert.equal(res.status, 200);
    const tok = await res.json();
    assert.equal(tok.orcid, '0000-0002-1825-0097');
    assert.equal(tok.name, 'Josiah Carberry');
    assert.equal(tok.expires_in, ORCID_TOKEN_TTL);
    assert.equal(tok.token_type, 'bearer');
    assert.equal(tok.scope, 'openid');
    assert.ok(tok.refresh_token, 'refresh_token is always issued');
    assert.equal(tok.access_token.split('.').length, 1, 'access token is opaque');

    const { header, payload } = decodeJwt(tok.id_token);
    assert.equal(header.alg, 'RS256');
    assert.equal(payload.iss, op.issuer);
    assert.equal(payload.sub, '0000-0002-1825-0097');
    assert.equal(payload.aud, client.client_id);
    assert.equal(payload.nonce, nonce);
    assert.equal(payload.name, 'Josiah Carberry');
    assert.equal(payload.given_name, 'Josiah');
    assert.equal(payload.family_name, 'Carberry');
    assert.equal(payload.email, undefined);

    const ui = await (await fetch(`${op.issuer}/oauth/userinfo`, { headers: { authorization: `Bearer ${tok.access_token}` } })).json();
    assert.deepEqual(ui, {
      sub: '0000-0002-1825-0097', name: 'Josiah Carberry', given_name: 'Josiah', family_name: 'Carberry',
    });

    assert.deepEqual(await tokenInfo(tok.access_token), {
      active: true, orcid: '0000-0002-1825-0097', scope: 'openid', clientId: client.client_id, expiresAt: (await op.tokenInfo(tok.access_token)).expiresAt,
    });

    const refreshed = await (await fetch(`${op.issuer}/oauth/token`, form({
      client_id: client.client_id, client_secret: client.client_secret, grant_type: 'refresh_token', refresh_token: tok.refresh_token,
    }))).json();
    assert.equal(refreshed.orcid, '0000-0002-1825-0097');
    assert.equal(refreshed.expires_in, ORCID_TOKEN_TTL);
    assert.equal(refreshed.refresh_token, tok.refresh_token);
    assert.notEqual(refreshed.access_token, tok.access_token);

    // ORCID revoke: form client_id, client_secret, token → 200 with an empty body.
    const rv = await fetch(`${op.issuer}/oauth/revoke`, form({ client_id: client.client_id, client_secret: client.client_secret, token: tok.access_token }));
    assert.equal(rv.status, 200);
    assert.equal(await rv.text(), '');
    assert.deepEqual(await tokenInfo(tok.access_token), { active: false });
    // ... and the paired refresh token (and what it minted) went with it.
    assert.deepEqual(await tokenInfo(refreshed.access_token), { active: false });
    const again = await fetch(`${op.issuer}/oauth/token`, form({
      client_id: client.client_id, client_secret: client.client_secret, grant_type: 'refresh_token', refresh_token: tok.refresh_token,
    }));
    assert.equal(again.status, 400);

    // The code is single-use.
    assert.equal((await exchange(code)).status, 400);
  });

  test('permission grant without openid: /activities/update /read-limited, PKCE verified', async () => {
    const grantRedirect = client.redirect_uris[1];
    const { verifier, challenge } = pkce();
    const params = {
      client_id: client.client_id, scope: '/activities/update /read-limited', redirect_uri: grantRedirect, state: 's2', code_challenge: challenge, code_challenge_method: 'S256',
    };
    const { code } = await oidcSignIn(op, '/oauth/authorize', params, '0000-0002-9079-593x');
    const bad = await fetch(`${op.issuer}/oauth/token`, form({
      client_id: client.client_id, client_secret: client.client_secret, grant_type: 'authorization_code', code, redirect_uri: grantRedirect, code_verifier: 'wrong'.repeat(10),
    }));
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error, 'invalid_grant');

    const { code: code2 } = await oidcSignIn(op, '/oauth/authorize', params, '0000-0002-9079-593X');
    const tok = await (await fetch(`${op.issuer}/oauth/token`, form({
      client_id: client.client_id, client_secret: client.client_secret, grant_type: 'authorization_code', code: code2, redirect_uri: grantRedirect, code_verifier: verifier,
    }))).json();
    assert.equal(tok.orcid, '0000-0002-9079-593X');
    assert.equal(tok.name, 'Sofia Ramos');
    assert.equal(tok.id_token, undefined);
    assert.ok(tok.refresh_token);
    assert.equal(tok.scope, '/activities/update /read-limited');
    const info = await tokenInfo(tok.access_token);
    assert.equal(info.active, true);
    assert.equal(info.scope, '/activities/update /read-limited');
  });

  test('unknown valid iD signs in as a generated researcher; a bad check digit is refused', async () => {
    const b = browser();
    let res = await b.request(`${op.issuer}/oauth/authorize?${new URLSearchParams({ client_id: client.client_id, response_type: 'code', scope: '/authenticate', redirect_uri, state: 's' })}`);
    const interaction = location(res, op.issuer);
    res = await b.request(interaction, { method: 'POST', form: { prompt: 'login', login: '0000-0002-1825-0098' } });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /not a valid ORCID iD/);

    const { code } = await oidcSignIn(op, '/oauth/authorize', { client_id: client.client_id, scope: '/authenticate', redirect_uri, state: 's3' }, '0000-0002-2601-8132');
    const tok = await (await exchange(code)).json();
    assert.equal(tok.orcid, '0000-0002-2601-8132');
    assert.equal(tok.name, 'Test Researcher 0000-0002-2601-8132');
  });

  test('redirect_uri must match exactly', async () => {
    const res = await fetch(`${op.issuer}/oauth/authorize?${new URLSearchParams({ client_id: client.client_id, response_type: 'code', scope: 'openid', redirect_uri: `${redirect_uri}/`, state: 's' })}`, { redirect: 'manual' });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /redirect_uri/);
  });

  test('client_credentials /read-public gives orcid null', async () => {
    const tok = await (await fetch(`${op.issuer}/oauth/token`, form({
      client_id: client.client_id, client_secret: client.client_secret, grant_type: 'client_credentials', scope: '/read-public',
    }))).json();
    assert.equal(tok.orcid, null);
    assert.equal(tok.expires_in, ORCID_TOKEN_TTL);
    assert.deepEqual({ ...(await tokenInfo(tok.access_token)), expiresAt: 0 }, {
      active: true, orcid: null, scope: '/read-public', clientId: client.client_id, expiresAt: 0,
    });
  });

  const clientCredentials = (scope) => fetch(`${op.issuer}/oauth/token`, form({
    client_id: client.client_id, client_secret: client.client_secret, grant_type: 'client_credentials', scope,
  }));

  test('client_credentials /premium-notification: orcid null, 20-year bearer token, introspected as the client\'s; other scopes are invalid_scope', async () => {
    const res = await clientCredentials('/premium-notification');
    assert.equal(res.status, 200);
    const tok = await res.json();
    assert.equal(tok.orcid, null);
    assert.equal(tok.token_type, 'bearer');
    assert.equal(tok.expires_in, ORCID_TOKEN_TTL);
    assert.equal(tok.scope, '/premium-notification');
    const info = await tokenInfo(tok.access_token);
    assert.deepEqual({ ...info, expiresAt: 0 }, {
      active: true, orcid: null, scope: '/premium-notification', clientId: client.client_id, expiresAt: 0,
    });
    assert.ok(info.expiresAt > Date.now() / 1000 + 19 * 365 * 24 * 3600);
    const viaControl = await (await fetch(`${op.issuer}/_control/token-info?token=${encodeURIComponent(tok.access_token)}`)).json();
    assert.equal(viaControl.active, true);
    assert.match(viaControl.scope, /(^| )\/premium-notification( |$)/);
    assert.equal(viaControl.clientId, client.client_id);
    assert.equal(viaControl.orcid, null);

    const both = await (await clientCredentials('/read-public /premium-notification')).json();
    assert.equal(both.scope, '/read-public /premium-notification');

    for (const scope of ['/activities/update', '/premium-notification /read-limited', 'openid']) {
      const refused = await clientCredentials(scope);
      assert.equal(refused.status, 400, scope);
      const body = await refused.json();
      assert.equal(body.error, 'invalid_scope');
      assert.match(body.error_description, /^Invalid scope: /);
    }
  });

  test('an authorization request for /premium-notification (or /read-public) is refused (invalid_scope to the redirect_uri): no person\'s token carries it', async () => {
    const res = await fetch(`${op.issuer}/oauth/authorize?${new URLSearchParams({
      client_id: client.client_id, response_type: 'code', scope: 'openid /activities/update /premium-notification', redirect_uri, state: 'pn',
    })}`, { redirect: 'manual' });
    assert.equal(res.status, 303);
    const back = new URL(res.headers.get('location'));
    assert.equal(`${back.origin}${back.pathname}`, redirect_uri);
    assert.equal(back.searchParams.get('error'), 'invalid_scope');
    assert.equal(back.searchParams.get('error_description'), 'Invalid scope: /premium-notification');
    assert.equal(back.searchParams.get('state'), 'pn');
    // /read-public is two-legged too.
    const readPublic = await fetch(`${op.issuer}/oauth/authorize?${new URLSearchParams({
      client_id: client.client_id, response_type: 'code', scope: '/read-public', redirect_uri, state: 'rp',
    })}`, { redirect: 'manual' });
    assert.equal(new URL(readPublic.headers.get('location')).searchParams.get('error_description'), 'Invalid scope: /read-public');
    // An unregistered redirect_uri is never redirected to, invalid scope or not.
    const foreign = await fetch(`${op.issuer}/oauth/authorize?${new URLSearchParams({
      client_id: client.client_id, response_type: 'code', scope: '/premium-notification', redirect_uri: 'http://evil.example/cb', state: 'pn',
    })}`, { redirect: 'manual' });
    assert.equal(foreign.status, 400);

    // The usual grant still works and its token has only what was asked.
    const { code } = await oidcSignIn(op, '/oauth/authorize', {
      client_id: client.client_id, scope: '/activities/update /read-limited', redirect_uri, state: 'ok',
    }, '0000-0002-1825-0097');
    const tok = await (await exchange(code)).json();
    assert.doesNotMatch((await tokenInfo(tok.access_token)).scope, /premium-notification/);
  });

  test('the Member API double with this stand-in\'s tokenInfo: notifications need a live /premium-notification token', async () => {
    const api = await startOrcidApi({ rateLimit: false, tokenInfo, orcidUrl: op.issuer });
    try {
      const notify = (await (await clientCredentials('/premium-notification')).json()).access_token;
      const readPublic = (await (await clientCredentials('/read-public')).json()).access_token;
      const { code } = await oidcSignIn(op, '/oauth/authorize', {
        client_id: client.client_id, scope: '/activities/update /read-limited', redirect_uri, state: 'u',
      }, '0000-0002-1825-0097');
      const user = (await (await exchange(code)).json()).access_token;
      const post = (token) => fetch(`${api.url}/v3.0/0000-0002-1825-0097/notification-permission`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({
          'notification-type': 'permission',
          'authorization-url': { uri: `${op.issuer}/oauth/authorize?client_id=${client.client_id}&response_type=code&scope=%2Factivities%2Fupdate&redirect_uri=${encodeURIComponent(redirect_uri)}&state=n` },
          items: { item: [{ 'item-type': 'work', 'item-name': 'A work', 'external-id': { 'external-id-type': 'doi', 'external-id-value': '10.5555/x' } }] },
        }),
      });
      const ok = await post(notify);
      assert.equal(ok.status, 201);
      for (const token of [readPublic, user]) {
        const res = await post(token);
        assert.equal(res.status, 403);
        assert.equal((await res.json())['error-code'], 9004);
      }
      const rv = await fetch(`${op.issuer}/oauth/revoke`, form({ client_id: client.client_id, client_secret: client.client_secret, token: notify }));
      assert.equal(rv.status, 200);
      const revoked = await post(notify);
      assert.equal(revoked.status, 401);
      assert.equal((await revoked.json()).error, 'invalid_token');
      const inbox = (await (await fetch(`${api.url}/_control/inbox/0000-0002-1825-0097`)).json()).notifications;
      assert.equal(inbox.length, 1);
      assert.equal(inbox[0].source['source-client-id'].path, client.client_id);
    } finally {
      await api.close();
    }
  });

  test('control: revoke-account-tokens kills every token of the account only', async () => {
    const signIn = async (login, state) => {
      const { code } = await oidcSignIn(op, '/oauth/authorize', { client_id: client.client_id, scope: '/activities/update /read-limited', redirect_uri, state }, login);
      return (await exchange(code)).json();
    };
    const a1 = await signIn('0000-0001-5109-3700', 'a1');
    const a2 = await signIn('0000-0001-5109-3700', 'a2');
    const other = await signIn('0000-0003-1419-2405', 'b');

    const state = await (await fetch(`${op.issuer}/_control/state`)).json();
    assert.ok(state.accounts['0000-0001-5109-3700'].accessTokens >= 2);

    const res = await fetch(`${op.issuer}/_control/revoke-account-tokens`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ orcid: '0000-0001-5109-3700' }),
    });
    assert.equal(res.status, 200);
    assert.ok((await res.json()).revoked >= 4);
    assert.equal((await tokenInfo(a1.access_token)).active, false);
    assert.equal((await tokenInfo(a2.access_token)).active, false);
    assert.equal((await tokenInfo(other.access_token)).active, true);
    const ui = await fetch(`${op.issuer}/oauth/userinfo`, { headers: { authorization: `Bearer ${a1.access_token}` } });
    assert.equal(ui.status, 401);
    const refresh = await fetch(`${op.issuer}/oauth/token`, form({
      client_id: client.client_id, client_secret: client.client_secret, grant_type: 'refresh_token', refresh_token: a1.refresh_token,
    }));
    assert.equal(refresh.status, 400);

    const viaHttp = await (await fetch(`${op.issuer}/_control/token-info?token=${other.access_token}`)).json();
    assert.equal(viaHttp.orcid, '0000-0003-1419-2405');
  });

  test('deny on the consent page (autoConsent: false) returns access_denied', async () => {
    const op2 = await startOidc({ flavour: 'orcid', clients: [client], autoConsent: false });
    try {
      const { code } = await oidcSignIn(op2, '/oauth/authorize', { client_id: client.client_id, scope: 'openid', redirect_uri, state: 'c1' }, '0000-0002-1825-0097', { expectConsent: true });
      assert.ok(code);
      const b = browser();
      let res = await b.request(`${op2.issuer}/oauth/authorize?${new URLSearchParams({ client_id: client.client_id, response_type: 'code', scope: 'openid', redirect_uri, state: 'c2' })}`);
      const interaction = location(res, op2.issuer);
      res = await b.request(interaction, { method: 'POST', form: { prompt: 'login', login: '0000-0002-1825-0097' } });
      res = await b.request(location(res, op2.issuer));
      const consent = location(res, op2.issuer);
      res = await b.request(`${consent}/abort`);
      res = await b.request(location(res, op2.issuer));
      const back = new URL(location(res, op2.issuer));
      assert.equal(back.searchParams.get('error'), 'access_denied');
      assert.equal(back.searchParams.get('state'), 'c2');
    } finally {
      await op2.close();
    }
  });

  test('prompt=login shows the login page despite a live session; another iD there replaces the login, with no page between', async () => {
    const { browser: b } = await oidcSignIn(op, '/oauth/authorize', {
      client_id: client.client_id, scope: 'openid', redirect_uri, state: 'p1',
    }, '0000-0001-5109-3700');
    const authorize = (state, extra = {}) => `${op.issuer}/oauth/authorize?${new URLSearchParams({
      client_id: client.client_id, response_type: 'code', scope: 'openid', redirect_uri, state, ...extra,
    })}`;
    // The session lives: no login page.
    let res = await b.request(authorize('p2'));
    assert.equal(new URL(location(res, op.issuer)).origin, new URL(APP).origin, 'straight back to the client');

    res = await b.request(authorize('p3', { prompt: 'login', max_age: '0' }));
    const interaction = location(res, op.issuer);
    assert.match(interaction, /\/interaction\/[\w-]+$/, 'prompt=login asks for the login again');
    res = await b.request(interaction);
    assert.match(await res.text(), /<label for="login">/);
    res = await b.request(interaction, { method: 'POST', form: { prompt: 'login', login: '0000-0002-1825-0097', password: 'x' } });
    assert.equal(res.status, 303);
    res = await b.request(location(res, op.issuer));
    assert.equal(res.status, 303, 'the resume redirects (oidc-provider alone would answer a self-submitting end-session page)');
    const back = new URL(location(res, op.issuer));
    assert.equal(back.searchParams.get('state'), 'p3');
    const tok = await (await exchange(back.searchParams.get('code'))).json();
    assert.equal(tok.orcid, '0000-0002-1825-0097', 'the code is for the iD signed in last');

    // That login is the session's now.
    res = await b.request(authorize('p4'));
    const again = new URL(location(res, op.issuer));
    assert.equal(again.searchParams.get('state'), 'p4');
    assert.equal((await (await exchange(again.searchParams.get('code'))).json()).orcid, '0000-0002-1825-0097');
  });

  test('dynamic registration: a registered client gets the full ORCID behaviour', async () => {
    const doc = await (await fetch(`${op.issuer}/.well-known/openid-configuration`)).json();
    assert.equal(doc.registration_endpoint, `${op.issuer}/reg`);
    assert.deepEqual(doc.scopes_supported, ['openid'], 'the rest of discovery stays ORCID-like');

    const appUrl = 'http://127.0.0.1:45001';
    const uris = [`${appUrl}/auth/orcid/callback`, `${appUrl}/auth/orcid/grant/callback`];
    const [status, reg] = await registerClient(doc.registration_endpoint, {
      redirect_uris: uris, token_endpoint_auth_method: 'client_secret_post', grant_types: ['authorization_code', 'refresh_token'], client_name: 'Profiles test app',
    });
    assert.equal(status, 201, JSON.stringify(reg));
    assert.match(reg.client_id, /^APP-[A-Z0-9]{16}$/);
    assert.match(reg.client_secret, /^[0-9a-f-]{36}$/);
    assert.deepEqual(reg.redirect_uris, uris);
    assert.deepEqual(reg.grant_types, ['authorization_code', 'refresh_token']);
    assert.equal(reg.token_endpoint_auth_method, 'client_secret_post');
    assert.equal(reg.client_secret_expires_at, 0);

    // Sign-in (openid) with the registered client: auto-consent, ORCID token fields, 20 years.
    const { code } = await oidcSignIn(op, '/oauth/authorize', {
      client_id: reg.client_id, scope: 'openid', redirect_uri: uris[0], state: 'r1', nonce: 'n',
    }, '0000-0002-1825-0097');
    const tok = await (await fetch(`${op.issuer}/oauth/token`, form({
      client_id: reg.client_id, client_secret: reg.client_secret, grant_type: 'authorization_code', code, redirect_uri: uris[0],
    }))).json();
    assert.equal(tok.orcid, '0000-0002-1825-0097');
    assert.equal(tok.name, 'Josiah Carberry');
    assert.equal(tok.token_type, 'bearer');
    assert.equal(tok.expires_in, ORCID_TOKEN_TTL);
    assert.ok(tok.refresh_token, 'refresh_token is always issued');
    assert.equal(decodeJwt(tok.id_token).payload.aud, reg.client_id);

    // Permission grant on the second redirect URI, with the write scopes.
    const { code: grantCode } = await oidcSignIn(op, '/oauth/authorize', {
      client_id: reg.client_id, scope: '/activities/update /read-limited', redirect_uri: uris[1], state: 'r2',
    }, '0000-0002-9079-593X');
    const grant = await (await fetch(`${op.issuer}/oauth/token`, form({
      client_id: reg.client_id, client_secret: reg.client_secret, grant_type: 'authorization_code', code: grantCode, redirect_uri: uris[1],
    }))).json();
    assert.equal(grant.scope, '/activities/update /read-limited');
    assert.equal(grant.orcid, '0000-0002-9079-593X');
    assert.deepEqual({ ...(await tokenInfo(grant.access_token)), expiresAt: 0 }, {
      active: true, orcid: '0000-0002-9079-593X', scope: '/activities/update /read-limited', clientId: reg.client_id, clientName: 'Profiles test app', expiresAt: 0,
    });
    const refreshed = await (await fetch(`${op.issuer}/oauth/token`, form({
      client_id: reg.client_id, client_secret: reg.client_secret, grant_type: 'refresh_token', refresh_token: grant.refresh_token,
    }))).json();
    assert.equal(refreshed.orcid, '0000-0002-9079-593X');
    assert.equal(refreshed.expires_in, ORCID_TOKEN_TTL);

    // Its redirect URIs are exact, and not the configured client's.
    const res = await fetch(`${op.issuer}/oauth/authorize?${new URLSearchParams({
      client_id: reg.client_id, response_type: 'code', scope: 'openid', redirect_uri: client.redirect_uris[0], state: 's',
    })}`, { redirect: 'manual' });
    assert.equal(res.status, 400);
    // client_credentials was not asked for, so it is not allowed.
    const cc = await fetch(`${op.issuer}/oauth/token`, form({
      client_id: reg.client_id, client_secret: reg.client_secret, grant_type: 'client_credentials', scope: '/read-public',
    }));
    assert.equal(cc.status, 400);
  });

  test('dynamic registration: defaults, a chosen client_id and secret, and refusals', async () => {
    const reg = `${op.issuer}/reg`;
    const [s1, dflt] = await registerClient(reg, { redirect_uris: ['http://127.0.0.1:45002/cb'] });
    assert.equal(s1, 201);
    assert.equal(dflt.token_endpoint_auth_method, 'client_secret_post');
    assert.deepEqual(dflt.grant_types, ['authorization_code', 'refresh_token', 'client_credentials']);
    const cc = await (await fetch(`${op.issuer}/oauth/token`, form({
      client_id: dflt.client_id, client_secret: dflt.client_secret, grant_type: 'client_credentials', scope: '/read-public',
    }))).json();
    assert.equal(cc.orcid, null);

    const [s2, chosen] = await registerClient(reg, { redirect_uris: ['http://127.0.0.1:45003/cb'], client_id: 'APP-CHOSEN0000000001', client_secret: 'chosen-secret' });
    assert.equal(s2, 201);
    assert.equal(chosen.client_id, 'APP-CHOSEN0000000001');
    assert.equal(chosen.client_secret, 'chosen-secret');
    const { code } = await oidcSignIn(op, '/oauth/authorize', {
      client_id: chosen.client_id, scope: '/authenticate', redirect_uri: 'http://127.0.0.1:45003/cb', state: 'c',
    }, '0000-0001-5109-3700');
    const tok = await (await fetch(`${op.issuer}/oauth/token`, form({
      client_id: chosen.client_id, client_secret: 'chosen-secret', grant_type: 'authorization_code', code, redirect_uri: 'http://127.0.0.1:45003/cb',
    }))).json();
    assert.equal(tok.orcid, '0000-0001-5109-3700');

    let [status, err] = await registerClient(reg, { redirect_uris: ['http://127.0.0.1:45004/cb'], client_id: 'APP-CHOSEN0000000001' });
    assert.equal(status, 400);
    assert.equal(err.error, 'invalid_client_metadata');
    [status, err] = await registerClient(reg, { redirect_uris: ['http://127.0.0.1:45004/cb'], client_id: client.client_id });
    assert.equal(status, 400, 'a configured client_id cannot be taken over');
    [status, err] = await registerClient(reg, { redirect_uris: ['http://127.0.0.1:45004/cb'], token_endpoint_auth_method: 'client_secret_basic' });
    assert.equal(status, 400, 'ORCID takes client_secret_post only');
    [status, err] = await registerClient(reg, {});
    assert.equal(status, 400);
    assert.equal(err.error, 'invalid_redirect_uri');
  });
});

describe('Google stand-in', () => {
  const client = { client_id: 'profiles-test.apps.googleusercontent.com', client_secret: 'google-secret', redirect_uris: [`${APP}/auth/google/callback`] };
  const redirect_uri = client.redirect_uris[0];
  let op;
  before(async () => { op = await startOidc({ flavour: 'google', clients: [client] }); });
  after(() => op.close());

  test('discovery, sign-in with PKCE and basic auth, claims, userinfo, revoke', async () => {
    const doc = await (await fetch(`${op.issuer}/.well-known/openid-configuration`)).json();
    assert.equal(doc.issuer, op.issuer);
    assert.deepEqual(doc.code_challenge_methods_supported, ['S256']);
    assert.ok(doc.revocation_endpoint);
    assert.deepEqual(doc.token_endpoint_auth_methods_supported.sort(), ['client_secret_basic', 'client_secret_post']);

    const { verifier, challenge } = pkce();
    const nonce = 'n-123';
    const { code } = await oidcSignIn(op, new URL(doc.authorization_endpoint).pathname, {
      client_id: client.client_id, scope: 'openid email profile', redirect_uri, state: 'g1', nonce, code_challenge: challenge, code_challenge_method: 'S256',
    }, 'alice@example.test');

    const basic = Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64');
    const res = await fetch(doc.token_endpoint, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri, code_verifier: verifier }),
    });
    assert.equal(res.status, 200);
    const tok = await res.json();
    assert.equal(tok.refresh_token, undefined, 'no refresh token without offline access');
    const alice = GOOGLE_FIXTURES.find((u) => u.email === 'alice@example.test');
    const { payload } = decodeJwt(tok.id_token);
    assert.match(payload.sub, /^\d{21}$/);
    assert.equal(payload.sub, alice.sub);
    assert.equal(payload.email, 'alice@example.test');
    assert.equal(payload.email_verified, true);
    assert.equal(payload.name, 'Alice Example');
    assert.equal(payload.given_name, 'Alice');
    assert.equal(payload.family_name, 'Example');
    assert.equal(payload.nonce, nonce);
    assert.match(payload.picture, /^http:\/\/127\.0\.0\.1:\d+\/_avatar\/\d+\.svg$/);
    assert.equal((await fetch(payload.picture)).status, 200);

    const ui = await (await fetch(doc.userinfo_endpoint, { headers: { authorization: `Bearer ${tok.access_token}` } })).json();
    assert.equal(ui.sub, alice.sub);
    assert.equal(ui.email, 'alice@example.test');

    const rv = await fetch(doc.revocation_endpoint, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tok.access_token }),
    });
    assert.equal(rv.status, 200);
    assert.equal((await fetch(doc.userinfo_endpoint, { headers: { authorization: `Bearer ${tok.access_token}` } })).status, 401);
  });

  test('client_secret_post works too, a missing verifier fails, and a handle becomes an email', async () => {
    const { verifier, challenge } = pkce();
    const params = {
      client_id: client.client_id, scope: 'openid email profile', redirect_uri, state: 'g2', code_challenge: challenge, code_challenge_method: 'S256',
    };
    const { code } = await oidcSignIn(op, '/o/oauth2/v2/auth', params, 'carol');
    const noVerifier = await fetch(`${op.issuer}/token`, form({
      client_id: client.client_id, client_secret: client.client_secret, grant_type: 'authorization_code', code, redirect_uri,
    }));
    assert.equal(noVerifier.status, 400);

    const { code: code2 } = await oidcSignIn(op, '/o/oauth2/v2/auth', params, 'Carol');
    const tok = await (await fetch(`${op.issuer}/token`, form({
      client_id: client.client_id, client_secret: client.client_secret, grant_type: 'authorization_code', code: code2, redirect_uri, code_verifier: verifier,
    }))).json();
    const { payload } = decodeJwt(tok.id_token);
    assert.equal(payload.email, 'carol@example.test');
    assert.match(payload.sub, /^\d{21}$/);
  });

  test('offline_access (with prompt=consent, which shows the consent page) gives a refresh token', async () => {
    const { code } = await oidcSignIn(op, '/o/oauth2/v2/auth', {
      client_id: client.client_id, scope: 'openid email offline_access', redirect_uri, state: 'g3', prompt: 'consent',
    }, 'bob@example.test', { expectConsent: true });
    const tok = await (await fetch(`${op.issuer}/token`, form({
      client_id: client.client_id, client_secret: client.client_secret, grant_type: 'authorization_code', code, redirect_uri,
    }))).json();
    assert.ok(tok.refresh_token);
  });

  test('dynamic registration: a registered client (client_secret_post) signs in like the configured one', async () => {
    const doc = await (await fetch(`${op.issuer}/.well-known/openid-configuration`)).json();
    assert.equal(doc.registration_endpoint, `${op.issuer}/reg`);
    const redirect = 'http://127.0.0.1:45011/auth/google/callback';
    const [status, reg] = await registerClient(doc.registration_endpoint, {
      redirect_uris: [redirect], token_endpoint_auth_method: 'client_secret_post', grant_types: ['authorization_code', 'refresh_token'],
    });
    assert.equal(status, 201, JSON.stringify(reg));
    assert.match(reg.client_id, /^\d{12}-[a-z0-9]{32}\.apps\.googleusercontent\.com$/);
    assert.match(reg.client_secret, /^GOCSPX-/);
    assert.equal(reg.token_endpoint_auth_method, 'client_secret_post');

    const { verifier, challenge } = pkce();
    const { code } = await oidcSignIn(op, new URL(doc.authorization_endpoint).pathname, {
      client_id: reg.client_id, scope: 'openid email profile offline_access', redirect_uri: redirect, state: 'gr', nonce: 'n1', code_challenge: challenge, code_challenge_method: 'S256', prompt: 'consent',
    }, 'bob@example.test', { expectConsent: true });
    const tok = await (await fetch(doc.token_endpoint, form({
      client_id: reg.client_id, client_secret: reg.client_secret, grant_type: 'authorization_code', code, redirect_uri: redirect, code_verifier: verifier,
    }))).json();
    const { payload } = decodeJwt(tok.id_token);
    assert.equal(payload.aud, reg.client_id);
    assert.equal(payload.email, 'bob@example.test');
    assert.ok(tok.refresh_token);
    const refreshed = await (await fetch(doc.token_endpoint, form({
      client_id: reg.client_id, client_secret: reg.client_secret, grant_type: 'refresh_token', refresh_token: tok.refresh_token,
    }))).json();
    assert.ok(refreshed.access_token);
    const ui = await (await fetch(doc.userinfo_endpoint, { headers: { authorization: `Bearer ${refreshed.access_token}` } })).json();
    assert.equal(ui.email, 'bob@example.test');

    // Without a token_endpoint_auth_method the flavour's default applies (Google: basic).
    const [, basicClient] = await registerClient(doc.registration_endpoint, { redirect_uris: [redirect] });
    assert.equal(basicClient.token_endpoint_auth_method, 'client_secret_basic');
  });
});

describe('GitHub stand-in', () => {
  const client = { client_id: 'Ov23liTEST0000000001', client_secret: 'github-secret', redirect_uris: [`${APP}/auth/github/callback`] };
  const redirect_uri = client.redirect_uris[0];
  let gh;
  before(async () => { gh = await startGithub({ clients: [client] }); });
  after(() => gh.close());

  const UA = { 'user-agent': 'profiles-test' };

  async function authorize(login, extra = {}) {
    const params = { client_id: client.client_id, redirect_uri, scope: 'read:user user:email', state: 'st', ...extra };
    let res = await fetch(`${gh.url}/login/oauth/authorize?${new URLSearchParams(params)}`, { redirect: 'manual' });
    assert.equal(res.status, 200);
    const page = await res.text();
    assert.match(page, /<label for="login">Username<\/label>/);
    assert.match(page, />Authorize<\/button>/);
    const { action, hidden } = formOf(page);
    assert.equal(action, `${gh.url}/login/oauth/authorize`);
    res = await fetch(action, { ...form({ ...hidden, login, authorize: '1' }), redirect: 'manual' });
    assert.equal(res.status, 302);
    const back = new URL(res.headers.get('location'));
    assert.equal(`${back.origin}${back.pathname}`, redirect_uri);
    assert.equal(back.searchParams.get('state'), 'st');
    return back.searchParams.get('code');
  }

  const exchange = (body, accept = 'application/json') => fetch(`${gh.url}/login/oauth/access_token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(accept ? { accept } : {}) },
    body: new URLSearchParams({ client_id: client.client_id, client_secret: client.client_secret, redirect_uri, ...body }),
  });

  test('full flow with PKCE, then /user and /user/emails', async () => {
    const { verifier, challenge } = pkce();
    const code = await authorize('octocat', { code_challenge: challenge, code_challenge_method: 'S256' });
    const res = await exchange({ code, code_verifier: verifier });
    assert.equal(res.status, 200);
    const tok = await res.json();
    assert.match(tok.access_token, /^gho_[A-Za-z0-9]{36}$/);
    assert.equal(tok.token_type, 'bearer');
    assert.equal(tok.scope, 'read:user,user:email');

    const user = await fetch(`${gh.url}/user`, { headers: { authorization: `Bearer ${tok.access_token}`, ...UA } });
    assert.equal(user.status, 200);
    const u = await user.json();
    assert.equal(u.id, 583231);
    assert.equal(u.login, 'octocat');
    assert.equal(u.name, 'The Octocat');
    assert.equal(u.email, null);
    assert.equal(u.html_url, 'https://github.com/octocat');
    assert.ok(u.avatar_url);

    const emails = await (await fetch(`${gh.url}/user/emails`, { headers: { authorization: `token ${tok.access_token}`, ...UA } })).json();
    assert.deepEqual(emails, [{
      email: 'octocat@example.test', primary: true, verified: true, visibility: 'private',
    }]);
  });

  test('token errors come with HTTP 200; codes are single-use; PKCE is checked', async () => {
    const code = await authorize('jcarberry');
    let res = await exchange({ code, client_secret: 'wrong' });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).error, 'incorrect_client_credentials');

    res = await exchange({ code, redirect_uri: `${APP}/elsewhere` });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).error, 'redirect_uri_mismatch');

    res = await exchange({ code });
    const tok = await res.json();
    assert.ok(tok.access_token);

    res = await exchange({ code });
    assert.equal(res.status, 200);
    const err = await res.json();
    assert.equal(err.error, 'bad_verification_code');
    assert.ok(err.error_description);
    assert.match(err.error_uri, /^https:\/\/docs\.github\.com\//);

    const { challenge } = pkce();
    const pkceCode = await authorize('jcarberry', { code_challenge: challenge, code_challenge_method: 'S256' });
    res = await exchange({ code: pkceCode, code_verifier: pkce().verifier });
    assert.equal((await res.json()).error, 'bad_verification_code');
  });

  test('without Accept: application/json the response is form-encoded', async () => {
    const code = await authorize('someone-new');
    const res = await exchange({ code }, null);
    assert.match(res.headers.get('content-type'), /application\/x-www-form-urlencoded/);
    const body = new URLSearchParams(await res.text());
    assert.match(body.get('access_token'), /^gho_/);
    assert.equal(body.get('scope'), 'read:user,user:email');
    const u = await (await fetch(`${gh.url}/user`, { headers: { authorization: `Bearer ${body.get('access_token')}`, ...UA } })).json();
    assert.equal(u.login, 'someone-new');
    assert.equal(typeof u.id, 'number');
    // Stable per login across codes (and restarts: it is derived from the login).
    const again = await (await exchange({ code: await authorize('someone-new') })).json();
    const u2 = await (await fetch(`${gh.url}/user`, { headers: { authorization: `Bearer ${again.access_token}`, ...UA } })).json();
    assert.equal(u2.id, u.id);
  });

  test('API needs a User-Agent and a valid token', async () => {
    const tok = await (await exchange({ code: await authorize('octocat') })).json();
    // fetch always sends a User-Agent unless told otherwise; an empty one counts as missing.
    let res = await fetch(`${gh.url}/user`, { headers: { authorization: `Bearer ${tok.access_token}`, 'user-agent': '' } });
    assert.equal(res.status, 403);
    assert.match(await res.text(), /User-Agent/);
    res = await fetch(`${gh.url}/user`, { headers: { authorization: 'Bearer gho_nope', ...UA } });
    assert.equal(res.status, 401);
    assert.equal((await res.json()).message, 'Bad credentials');
  });

  test('redirect_uri not registered → error page, no redirect', async () => {
    const res = await fetch(`${gh.url}/login/oauth/authorize?${new URLSearchParams({ client_id: client.client_id, redirect_uri: 'http://127.0.0.1:9999/cb', state: 'x' })}`, { redirect: 'manual' });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /redirect_uri/);
  });

  test('cancel redirects back with access_denied', async () => {
    const res = await fetch(`${gh.url}/login/oauth/authorize`, {
      ...form({ client_id: client.client_id, redirect_uri, state: 'st', authorize: '0' }), redirect: 'manual',
    });
    assert.equal(res.status, 302);
    const back = new URL(res.headers.get('location'));
    assert.equal(back.searchParams.get('error'), 'access_denied');
    assert.equal(back.searchParams.get('state'), 'st');
  });

  test('revocation: DELETE token and grant with Basic auth; control state', async () => {
    const t1 = (await (await exchange({ code: await authorize('jcarberry') })).json()).access_token;
    const t2 = (await (await exchange({ code: await authorize('jcarberry') })).json()).access_token;
    const t3 = (await (await exchange({ code: await authorize('jcarberry') })).json()).access_token;
    const basic = `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`;
    const del = (what, token, auth = basic) => fetch(`${gh.url}/applications/${client.client_id}/${what}`, {
      method: 'DELETE',
      headers: { authorization: auth, 'content-type': 'application/json', accept: 'application/vnd.github+json', ...UA },
      body: JSON.stringify({ access_token: token }),
    });

    assert.equal((await del('token', t1, `Basic ${Buffer.from(`${client.client_id}:nope`).toString('base64')}`)).status, 401);
    assert.equal((await del('token', 'gho_unknown')).status, 404);

    let state = await (await fetch(`${gh.url}/_control/state`)).json();
    assert.ok(state.tokens.jcarberry.some((t) => t.token === t1));

    assert.equal((await del('token', t1)).status, 204);
    assert.equal((await fetch(`${gh.url}/user`, { headers: { authorization: `Bearer ${t1}`, ...UA } })).status, 401);
    assert.equal((await fetch(`${gh.url}/user`, { headers: { authorization: `Bearer ${t2}`, ...UA } })).status, 200);

    assert.equal((await del('grant', t2)).status, 204);
    assert.equal((await fetch(`${gh.url}/user`, { headers: { authorization: `Bearer ${t3}`, ...UA } })).status, 401);

    state = await (await fetch(`${gh.url}/_control/state`)).json();
    assert.equal(state.tokens.jcarberry, undefined);
    assert.deepEqual(state.revokedGrants.map((g) => [g.login, g.client_id]), [['jcarberry', client.client_id]]);
  });

  test('fixtures are exported', () => {
    assert.equal(GITHUB_FIXTURES.find((u) => u.login === 'octocat').id, 583231);
  });

  test('POST /_control/clients registers an OAuth app usable at once', async () => {
    const redirect = 'http://127.0.0.1:45021/auth/github/callback';
    const [status, app] = await registerClient(`${gh.url}/_control/clients`, { redirect_uris: [redirect] });
    assert.equal(status, 201);
    assert.match(app.client_id, /^Ov23li[A-Za-z0-9]{14}$/);
    assert.match(app.client_secret, /^[0-9a-f]{40}$/);
    assert.deepEqual(app.redirect_uris, [redirect]);

    const params = { client_id: app.client_id, redirect_uri: redirect, scope: 'read:user user:email', state: 'dyn' };
    let res = await fetch(`${gh.url}/login/oauth/authorize?${new URLSearchParams(params)}`, { redirect: 'manual' });
    assert.equal(res.status, 200);
    const { action, hidden } = formOf(await res.text());
    res = await fetch(action, { ...form({ ...hidden, login: 'octocat', authorize: '1' }), redirect: 'manual' });
    assert.equal(res.status, 302);
    const back = new URL(res.headers.get('location'));
    assert.equal(`${back.origin}${back.pathname}`, redirect);
    const tok = await (await fetch(`${gh.url}/login/oauth/access_token`, form({
      client_id: app.client_id, client_secret: app.client_secret, code: back.searchParams.get('code'), redirect_uri: redirect,
    }))).json();
    assert.match(tok.access_token, /^gho_/);
    const u = await (await fetch(`${gh.url}/user`, { headers: { authorization: `Bearer ${tok.access_token}`, ...UA } })).json();
    assert.equal(u.id, 583231);

    // Only its own redirect URIs; the configured app is untouched.
    res = await fetch(`${gh.url}/login/oauth/authorize?${new URLSearchParams({ ...params, redirect_uri })}`, { redirect: 'manual' });
    assert.equal(res.status, 400);
    assert.equal((await fetch(`${gh.url}/login/oauth/authorize?${new URLSearchParams({ client_id: client.client_id, redirect_uri })}`)).status, 200);
  });

  test('POST /_control/clients: chosen id and secret, duplicates and bad bodies refused', async () => {
    const [status, app] = await registerClient(`${gh.url}/_control/clients`, {
      redirect_uris: ['http://127.0.0.1:45022/cb'], client_id: 'Ov23liChosen00000001', client_secret: 'chosen',
    });
    assert.equal(status, 201);
    assert.deepEqual(app, { client_id: 'Ov23liChosen00000001', client_secret: 'chosen', redirect_uris: ['http://127.0.0.1:45022/cb'] });
    for (const body of [
      { redirect_uris: ['http://127.0.0.1:45022/cb'], client_id: 'Ov23liChosen00000001' },
      { redirect_uris: ['http://127.0.0.1:45022/cb'], client_id: client.client_id },
      { redirect_uris: [] },
      { redirect_uris: ['/relative'] },
      { redirect_uris: ['http://127.0.0.1:45022/cb#frag'] },
      {},
    ]) {
      const [s, err] = await registerClient(`${gh.url}/_control/clients`, body);
      assert.equal(s, 400, JSON.stringify(body));
      assert.match(err.error, /^invalid_(redirect_uri|client_metadata)$/);
      assert.ok(err.error_description);
    }
  });
});

describe('cli', () => {
  test('prints one ready line with the real port and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [new URL('./cli.mjs', import.meta.url).pathname, 'github', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = await once(createInterface({ input: child.stdout }), 'line');
    const ready = JSON.parse(line);
    assert.equal(ready.ready, 'github');
    assert.match(ready.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${ready.url}/_control/state`);
    assert.equal(res.status, 200);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
  });
  test('--exit-with-stdin: the process exits 0 when stdin closes', async () => {
    const child = spawn(process.execPath, [CLI, 'google', '--port', '0', '--exit-with-stdin'], { stdio: ['pipe', 'pipe', 'ignore'] });
    try {
      const ready = JSON.parse(await lines(child)());
      assert.equal(ready.ready, 'google');
      assert.equal((await fetch(`${ready.url}/.well-known/openid-configuration`)).status, 200);
      // Still running while stdin is open, whatever is written to it.
      child.stdin.write('ignored\n');
      await new Promise((r) => { setTimeout(r, 200); });
      assert.equal(child.exitCode, null);
      child.stdin.end();
      assert.equal(await exitCode(child), 0);
      await assert.rejects(fetch(`${ready.url}/.well-known/openid-configuration`));
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  test('all with every STANDIN_*_PORT=0: five ready lines on distinct free ports; orcid-api checks ORCID tokens', async () => {
    const env = { ...process.env };
    for (const name of ['ORCID', 'GOOGLE', 'GITHUB', 'ORCID_API', 'DATACITE']) env[`STANDIN_${name}_PORT`] = '0';
    const child = spawn(process.execPath, [CLI, 'all', '--exit-with-stdin'], { stdio: ['pipe', 'pipe', 'ignore'], env });
    try {
      const next = lines(child);
      const ready = [];
      for (let i = 0; i < 5; i += 1) ready.push(JSON.parse(await next()));
      assert.deepEqual(ready.map((r) => r.ready), ['orcid', 'google', 'github', 'orcid-api', 'datacite']);
      const ports = ready.map((r) => Number(new URL(r.url).port));
      for (const [i, r] of ready.entries()) assert.equal(r.url, `http://127.0.0.1:${ports[i]}`);
      assert.equal(new Set(ports).size, 5, 'distinct ports');
      assert.ok(ports.every((p) => p > 0 && !(p >= 9401 && p <= 9405)), `free ports, not the defaults: ${ports}`);
      const url = Object.fromEntries(ready.map((r) => [r.ready, r.url]));

      // Every provider registers clients in this mode too.
      const redirect = 'http://127.0.0.1:45031/auth/orcid/grant/callback';
      const [s1, orcidClient] = await registerClient(`${url.orcid}/reg`, {
        redirect_uris: [redirect], token_endpoint_auth_method: 'client_secret_post', grant_types: ['authorization_code', 'refresh_token'],
      });
      assert.equal(s1, 201);
      assert.equal((await registerClient(`${url.google}/reg`, { redirect_uris: ['http://127.0.0.1:45031/auth/google/callback'] }))[0], 201);
      assert.equal((await registerClient(`${url.github}/_control/clients`, { redirect_uris: ['http://127.0.0.1:45031/auth/github/callback'] }))[0], 201);

      // The Member API double of the same process knows the ORCID stand-in's tokens.
      const { code } = await oidcSignIn({ issuer: url.orcid }, '/oauth/authorize', {
        client_id: orcidClient.client_id, scope: '/activities/update /read-limited', redirect_uri: redirect, state: 'all',
      }, '0000-0002-1825-0097');
      const tok = await (await fetch(`${url.orcid}/oauth/token`, form({
        client_id: orcidClient.client_id, client_secret: orcidClient.client_secret, grant_type: 'authorization_code', code, redirect_uri: redirect,
      }))).json();
      const works = (token) => fetch(`${url['orcid-api']}/v3.0/0000-0002-1825-0097/works`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
      assert.equal((await works(tok.access_token)).status, 200);
      assert.equal((await works('not-a-token-the-orcid-stand-in-issued')).status, 401);

      // The orcid-api ready line names the inbox, and that double knows the ORCID site: a
      // notification must point at its /oauth/authorize, and Grant permission resolves a path there.
      assert.equal(ready[3].inbox, `${url['orcid-api']}/inbox/{orcid}`);
      const member = await registerClient(`${url.orcid}/reg`, { redirect_uris: [redirect] });
      const notify = (await (await fetch(`${url.orcid}/oauth/token`, form({
        client_id: member[1].client_id, client_secret: member[1].client_secret, grant_type: 'client_credentials', scope: '/premium-notification',
      }))).json()).access_token;
      const notification = (authorizationUrl) => fetch(`${url['orcid-api']}/v3.0/0000-0002-1825-0097/notification-permission`, {
        method: 'POST',
        headers: { authorization: `Bearer ${notify}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({
          'notification-type': 'permission',
          'authorization-url': authorizationUrl,
          items: { item: [{ 'item-type': 'work', 'item-name': 'A work', 'external-id': { 'external-id-type': 'doi', 'external-id-value': '10.5555/x' } }] },
        }),
      });
      assert.equal((await notification({ uri: `${url.google}/oauth/authorize?client_id=x` })).status, 400, 'not the ORCID site');
      const created = await notification({ path: `/oauth/authorize?client_id=${member[1].client_id}&response_type=code&scope=%2Factivities%2Fupdate&redirect_uri=${encodeURIComponent(redirect)}` });
      assert.equal(created.status, 201);
      const putCode = created.headers.get('location').split('/').at(-1);
      const grant = await fetch(`${url['orcid-api']}/inbox/0000-0002-1825-0097/${putCode}/grant`, { redirect: 'manual' });
      assert.equal(grant.status, 303);
      assert.equal(new URL(grant.headers.get('location')).origin, url.orcid);

      child.stdin.end();
      assert.equal(await exitCode(child), 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
