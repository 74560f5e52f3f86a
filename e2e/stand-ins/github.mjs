// A local stand-in for GitHub's OAuth App flow and the few REST calls Profiles makes. node:http
// only: GitHub is OAuth 2.0 with its own quirks, not OIDC, so a generic OP would hide exactly the
// things a client must get right:
//  - token errors come back with HTTP 200 and an `error` field;
//  - the token response is form-encoded unless the client sends Accept: application/json;
//  - scopes in the token response are comma-separated;
//  - the REST API refuses requests without a User-Agent header (403);
//  - revocation is DELETE /applications/{client_id}/grant|token with HTTP Basic client auth.
// The web host (github.com) and the API host (api.github.com) are the same server here, so a
// client needs both base URLs configurable and points both at this stand-in's url.
//
// ── Signing in from a script ───────────────────────────────────────────────────────────────────
//  1. GET {url}/login/oauth/authorize?client_id=…&redirect_uri=…&scope=read:user%20user:email&state=…
//     [&code_challenge=…&code_challenge_method=S256] → 200 HTML page with a form.
//  2. POST {url}/login/oauth/authorize, form: the same query fields as hidden inputs plus
//     login=<username> and authorize=1 → 302 Location: {redirect_uri}?code=…&state=…
//     (authorize=0, the "Cancel" button → {redirect_uri}?error=access_denied&…&state=…)
//  3. POST {url}/login/oauth/access_token with client_id, client_secret, code, redirect_uri
//     [, code_verifier], Accept: application/json → {"access_token":"gho_…","token_type":"bearer","scope":"read:user,user:email"}
//  4. GET {url}/user and {url}/user/emails with Authorization: Bearer gho_… and a User-Agent.
//
// ── Test controls ──────────────────────────────────────────────────────────────────────────────
//  POST {url}/_control/clients  Content-Type: application/json
//       {"redirect_uris":["http://127.0.0.1:PORT/auth/github/callback", …],   required, absolute
//        "client_id":"…", "client_secret":"…"}   optional; generated when left out
//       → 201 {"client_id":"Ov23li…","client_secret":"<40 hex>","redirect_uris":[…]}: a new OAuth
//       app, usable at once and until the stand-in stops. A bad body → 400 {"error":
//       "invalid_redirect_uri"|"invalid_client_metadata","error_description"} (RFC 7591's codes,
//       as the OIDC stand-ins answer); a client_id already in use → 400 invalid_client_metadata.
//       GitHub has nothing like it: there, OAuth apps are registered by hand in the settings.
//  GET {url}/_control/state → {"tokens":{"<login>":[{token,client_id,scopes,created_at}]},
//       "revokedGrants":[{login,client_id,at}],"revokedTokens":n}
//  and the controls every stand-in shares (faults, latency, counters, request log: README.md
//  "Test controls"). A fault without a `body` answers GitHub's REST error JSON for its status
//  (502–504: a gateway page); `reset` clears faults and counters but keeps clients and tokens.

import http from 'node:http';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  esc, digitsFrom, readBody, parseBody, page, listen, closeServer, urlHost, createControl,
} from './util.mjs';

const DOCS = 'https://docs.github.com';
const TOKEN_ERRORS_DOC = `${DOCS}/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors`;
const CODE_TTL_MS = 10 * 60 * 1000;

/** Known GitHub test users. Any other valid login works with a generated, stable id. */
export const GITHUB_FIXTURES = Object.freeze([
  // The real octocat: public email null, so clients must fall back to /user/emails.
  { login: 'octocat', id: 583231, name: 'The Octocat', publicEmail: null, email: 'octocat@example.test' },
  { login: 'jcarberry', id: 99000001, name: 'Josiah Carberry', publicEmail: 'josiah.carberry@example.test', email: 'josiah.carberry@example.test' },
  { login: 'alice-example', id: 99000002, name: 'Alice Example', publicEmail: null, email: 'alice@example.test' },
]);

/** GitHub logins: alphanumerics and single hyphens, not at either end, at most 39 characters. */
const LOGIN_RE = /^[a-z\d](?:[a-z\d]|-(?=[a-z\d])){0,38}$/i;

function githubUser(login) {
  const fixture = GITHUB_FIXTURES.find((u) => u.login.toLowerCase() === login.toLowerCase());
  if (fixture) return fixture;
  // Ids above the fixtures' range; 9 digits like recent GitHub accounts.
  const id = 100000000 + Number(digitsFrom(`github:${login.toLowerCase()}`, 12)) % 800000000;
  return { login, id, name: null, publicEmail: null, email: `${login.toLowerCase()}@example.test` };
}

function randomToken(prefix, length) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(length);
  let out = prefix;
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

function safeEqual(a, b) {
  const x = Buffer.from(String(a));
  const y = Buffer.from(String(b));
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Scopes as GitHub normalizes them: split on spaces or commas, de-duplicated. */
function scopeList(scope) {
  return [...new Set(String(scope ?? '').split(/[\s,]+/).filter(Boolean))];
}

/**
 * Start the GitHub stand-in.
 * @param {object} options
 * @param {number} [options.port=0]
 * @param {string} [options.host='127.0.0.1']
 * @param {Array<{client_id:string, client_secret:string, redirect_uris:string[]}>} options.clients
 * @returns {Promise<{url:string, port:number, close:() => Promise<void>}>}
 */
export async function startGithub({ port = 0, host = '127.0.0.1', clients = [] } = {}) {
  const server = http.createServer();
  const boundPort = await listen(server, port, host);
  const url = `http://${urlHost(host)}:${boundPort}`;

  const clientsById = new Map(clients.map((c) => [c.client_id, c]));
  const codes = new Map(); // code → { clientId, redirectUri, scopes, login, challenge, expiresAt }
  const tokens = new Map(); // token → { clientId, login, scopes, createdAt }
  const revokedGrants = [];
  let revokedTokens = 0;

  // ── helpers writing responses ──

  function send(res, status, body, type = 'application/json; charset=utf-8', headers = {}) {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...headers });
    res.end(text);
  }

  function html(res, status, title, body, error) {
    send(res, status, page({ title, provider: 'GitHub', body, status: error }), 'text/html; charset=utf-8');
  }

  function redirect(res, location) {
    res.writeHead(302, { Location: location, 'Content-Length': '0' });
    res.end();
  }

  function withParams(base, params) {
    const u = new URL(base);
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') u.searchParams.set(k, v);
    return u.toString();
  }

  // ── authorize ──

  /** Validate client and redirect_uri the way GitHub does before showing anything. */
  function checkAuthorizeRequest(params) {
    const client = clientsById.get(params.client_id);
    if (!client) return { error: 'Unknown client_id: no OAuth application is registered with it.' };
    // GitHub falls back to the registered callback URL when redirect_uri is omitted.
    const redirectUri = params.redirect_uri || client.redirect_uris[0];
    if (!client.redirect_uris.includes(redirectUri)) {
      return { error: 'The redirect_uri is not associated with this application. It must exactly match a registered callback URL.' };
    }
    if (params.code_challenge && (params.code_challenge_method ?? 'S256') !== 'S256') {
      return { error: 'Only code_challenge_method=S256 is supported.' };
    }
    return { client, redirectUri };
  }

  function authorizePage(res, params, client, error, status = 200) {
    const hidden = ['client_id', 'redirect_uri', 'scope', 'state', 'code_challenge', 'code_challenge_method']
      .filter((k) => params[k] !== undefined)
      .map((k) => `<input type="hidden" name="${k}" value="${esc(params[k])}">`).join('\n  ');
    const scopes = scopeList(params.scope);
    const rows = GITHUB_FIXTURES.map((u) => `<tr><td><code>${esc(u.login)}</code></td><td>${esc(u.name)}</td><td>${u.id}</td></tr>`).join('');
    html(res, status, `Authorize ${client.client_id}`, `<p>The application <strong>${esc(client.client_id)}</strong> wants to access your GitHub account${scopes.length ? ':' : '.'}</p>
${scopes.length ? `<ul>${scopes.map((s) => `<li><code>${esc(s)}</code></li>`).join('')}</ul>` : ''}
<form method="post" action="${esc(url)}/login/oauth/authorize" autocomplete="off">
  ${hidden}
  <label for="login">Username</label>
  <input id="login" name="login" type="text" required autofocus value="${esc(params.login ?? '')}" aria-describedby="login-hint">
  <p id="login-hint">Any GitHub-style username works, e.g. octocat. There is no password.</p>
  <button type="submit" name="authorize" value="1">Authorize</button>
  <button type="submit" name="authorize" value="0" formnovalidate>Cancel</button>
</form>
<h2>Test users</h2>
<table><thead><tr><th scope="col">Username</th><th scope="col">Name</th><th scope="col">id</th></tr></thead><tbody>${rows}</tbody></table>
<p>Redirects to <code>${esc(params.redirect_uri || client.redirect_uris[0])}</code></p>`, error);
  }

  function handleAuthorize(req, res, params) {
    const checked = checkAuthorizeRequest(params);
    if (checked.error) {
      html(res, 400, 'Application error', '<p>Return to the application and try again.</p>', checked.error);
      return;
    }
    const { client, redirectUri } = checked;
    if (req.method === 'GET') {
      authorizePage(res, params, client);
      return;
    }
    if (params.authorize === '0') {
      redirect(res, withParams(redirectUri, {
        error: 'access_denied',
        error_description: 'The user has denied your application access.',
        error_uri: `${DOCS}/apps/managing-oauth-apps/troubleshooting-authorization-request-errors/#access-denied`,
        state: params.state,
      }));
      return;
    }
    const login = String(params.login ?? '').trim();
    if (!LOGIN_RE.test(login)) {
      authorizePage(res, params, client, 'Usernames may only contain letters, digits and single hyphens, and cannot begin or end with a hyphen.', 400);
      return;
    }
    const code = randomBytes(10).toString('hex'); // GitHub codes are 20 hex characters
    codes.set(code, {
      clientId: client.client_id,
      redirectUri,
      redirectUriSent: Boolean(params.redirect_uri),
      scopes: scopeList(params.scope),
      login: githubUser(login).login,
      challenge: params.code_challenge || undefined,
      expiresAt: Date.now() + CODE_TTL_MS,
    });
    redirect(res, withParams(redirectUri, { code, state: params.state }));
  }

  // ── token ──

  function tokenError(res, wantsJson, error, description, anchor) {
    // GitHub answers these with HTTP 200, which trips generic OAuth clients (oauth2-rs #313).
    const body = { error, error_description: description, error_uri: `${TOKEN_ERRORS_DOC}/#${anchor}` };
    tokenReply(res, wantsJson, body);
  }

  function tokenReply(res, wantsJson, body) {
    if (wantsJson) send(res, 200, body);
    else send(res, 200, new URLSearchParams(body).toString(), 'application/x-www-form-urlencoded; charset=utf-8');
  }

  async function handleAccessToken(req, res, query) {
    const wantsJson = (req.headers.accept ?? '').includes('json');
    let body;
    try {
      body = { ...query, ...parseBody(await readBody(req), req.headers['content-type'] ?? '') };
    } catch {
      send(res, 400, { message: 'Problems parsing JSON', documentation_url: DOCS });
      return;
    }
    const client = clientsById.get(body.client_id);
    if (!client || !safeEqual(body.client_secret ?? '', client.client_secret)) {
      tokenError(res, wantsJson, 'incorrect_client_credentials', 'The client_id and/or client_secret passed are incorrect.', 'incorrect-client-credentials');
      return;
    }
    const grant = codes.get(body.code);
    if (!grant || grant.clientId !== client.client_id || grant.expiresAt < Date.now()) {
      tokenError(res, wantsJson, 'bad_verification_code', 'The code passed is incorrect or expired.', 'bad-verification-code');
      return;
    }
    if (body.redirect_uri !== undefined && body.redirect_uri !== grant.redirectUri) {
      tokenError(res, wantsJson, 'redirect_uri_mismatch', 'The redirect_uri MUST match the registered callback URL for this application.', 'redirect-uri-mismatch2');
      return;
    }
    if (grant.challenge) {
      const expected = body.code_verifier
        ? createHash('sha256').update(body.code_verifier).digest('base64url')
        : undefined;
      if (!expected || !safeEqual(expected, grant.challenge)) {
        // Single use even when the verifier was wrong, as a stolen code must not be retried.
        codes.delete(body.code);
        tokenError(res, wantsJson, 'bad_verification_code', 'The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.', 'bad-verification-code');
        return;
      }
    }
    codes.delete(body.code);
    const token = randomToken('gho_', 36);
    tokens.set(token, {
      clientId: client.client_id, login: grant.login, scopes: grant.scopes, createdAt: new Date().toISOString(),
    });
    tokenReply(res, wantsJson, { access_token: token, token_type: 'bearer', scope: grant.scopes.join(',') });
  }

  // ── REST API ──

  function apiUser(u) {
    return {
      login: u.login,
      id: u.id,
      node_id: Buffer.from(`04:User${u.id}`).toString('base64'),
      avatar_url: `${url}/_avatar/u/${u.id}.svg`,
      html_url: `https://github.com/${u.login}`,
      type: 'User',
      site_admin: false,
      name: u.name,
      email: u.publicEmail,
    };
  }

  /** Returns the token record, or answers the request itself and returns undefined. */
  function authenticateApi(req, res) {
    if (!req.headers['user-agent']) {
      send(res, 403, 'Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes.\n', 'text/plain; charset=utf-8');
      return undefined;
    }
    const match = /^(?:bearer|token)\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!match) {
      send(res, 401, { message: 'Requires authentication', documentation_url: `${DOCS}/rest/users/users#get-the-authenticated-user`, status: '401' });
      return undefined;
    }
    const record = tokens.get(match[1]);
    if (!record) {
      send(res, 401, { message: 'Bad credentials', documentation_url: `${DOCS}/rest`, status: '401' });
      return undefined;
    }
    return record;
  }

  const apiHeaders = (record, accepted) => ({
    'X-OAuth-Scopes': record.scopes.join(', '),
    'X-Accepted-OAuth-Scopes': accepted,
    'X-GitHub-Media-Type': 'github.v3; format=json',
  });

  function handleUser(req, res) {
    const record = authenticateApi(req, res);
    if (!record) return;
    send(res, 200, apiUser(githubUser(record.login)), undefined, apiHeaders(record, ''));
  }

  function handleUserEmails(req, res) {
    const record = authenticateApi(req, res);
    if (!record) return;
    const headers = apiHeaders(record, 'user, read:user, user:email');
    if (!record.scopes.some((s) => s === 'user' || s === 'user:email')) {
      // GitHub hides endpoints the token's scopes do not cover behind a 404.
      send(res, 404, { message: 'Not Found', documentation_url: `${DOCS}/rest/users/emails#list-email-addresses-for-the-authenticated-user`, status: '404' }, undefined, headers);
      return;
    }
    const u = githubUser(record.login);
    send(res, 200, [{
      email: u.email, primary: true, verified: true, visibility: u.publicEmail ? 'public' : 'private',
    }], undefined, headers);
  }

  /** DELETE /applications/{client_id}/grant|token and POST …/token (check). */
  async function handleApplications(req, res, clientId, what) {
    const basic = /^basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const [id, secret] = basic ? Buffer.from(basic[1], 'base64').toString('utf8').split(/:(.*)/s) : [];
    const client = clientsById.get(clientId);
    if (!client || id !== clientId || !safeEqual(secret ?? '', client.client_secret)) {
      send(res, 401, { message: 'Requires authentication', documentation_url: `${DOCS}/rest/apps/oauth-applications`, status: '401' });
      return;
    }
    let body;
    try {
      body = parseBody(await readBody(req), 'application/json');
    } catch {
      send(res, 400, { message: 'Problems parsing JSON', documentation_url: `${DOCS}/rest/apps/oauth-applications`, status: '400' });
      return;
    }
    const record = tokens.get(body.access_token);
    if (!record || record.clientId !== clientId) {
      send(res, 404, { message: 'Not Found', documentation_url: `${DOCS}/rest/apps/oauth-applications`, status: '404' });
      return;
    }
    if (req.method === 'POST' && what === 'token') {
      send(res, 200, {
        token: body.access_token,
        token_last_eight: body.access_token.slice(-8),
        scopes: record.scopes,
        created_at: record.createdAt,
        app: { client_id: clientId, name: clientId, url },
        user: apiUser(githubUser(record.login)),
      });
      return;
    }
    if (what === 'grant') {
      // The whole authorization goes: every token of this user for this app.
      for (const [t, r] of tokens) {
        if (r.clientId === clientId && r.login === record.login) {
          tokens.delete(t);
          revokedTokens += 1;
        }
      }
      revokedGrants.push({ login: record.login, client_id: clientId, at: new Date().toISOString() });
    } else {
      tokens.delete(body.access_token);
      revokedTokens += 1;
    }
    res.writeHead(204);
    res.end();
  }

  function controlState() {
    const byLogin = {};
    for (const [token, r] of tokens) {
      (byLogin[r.login] ??= []).push({
        token, client_id: r.clientId, scopes: r.scopes, created_at: r.createdAt,
      });
    }
    return { tokens: byLogin, revokedGrants, revokedTokens };
  }

  /** POST /_control/clients: register an OAuth app; see the top of this file. */
  async function registerClient({ payload }) {
    const fail = (error, description) => [400, { error, error_description: description }];
    let body;
    try {
      body = await payload();
    } catch {
      return fail('invalid_client_metadata', 'the body must be a JSON object');
    }
    // A form-encoded body carries one redirect_uri as a plain string.
    const uris = typeof body.redirect_uris === 'string' ? [body.redirect_uris] : body.redirect_uris;
    if (!Array.isArray(uris) || uris.length === 0) {
      return fail('invalid_redirect_uri', 'redirect_uris must be a non-empty array of absolute http(s) URLs');
    }
    for (const uri of uris) {
      let parsed;
      try {
        parsed = typeof uri === 'string' ? new URL(uri) : undefined;
      } catch {
        parsed = undefined;
      }
      if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.hash) {
        return fail('invalid_redirect_uri', `not an absolute http(s) URL without a fragment: ${JSON.stringify(uri)}`);
      }
    }
    for (const field of ['client_id', 'client_secret']) {
      const v = body[field];
      if (v !== undefined && v !== null && (typeof v !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(v))) {
        return fail('invalid_client_metadata', `${field} must be 1-200 visible ASCII characters`);
      }
    }
    const clientId = body.client_id || randomToken('Ov23li', 14);
    if (clientsById.has(clientId)) {
      return fail('invalid_client_metadata', `client_id ${clientId} is already registered`);
    }
    const client = {
      client_id: clientId,
      client_secret: body.client_secret || randomBytes(20).toString('hex'),
      redirect_uris: [...new Set(uris)],
    };
    clientsById.set(clientId, client);
    return [201, client];
  }

  function avatar(res, id) {
    const u = GITHUB_FIXTURES.find((x) => String(x.id) === id);
    const letter = esc((u?.login ?? '?').charAt(0).toUpperCase());
    send(res, 200, `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96"><rect width="96" height="96" fill="#24292f"/><text x="48" y="62" font-size="48" text-anchor="middle" fill="#fff" font-family="sans-serif">${letter}</text></svg>`, 'image/svg+xml');
  }

  // ── routing ──

  const control = createControl({
    routes: {
      'POST clients': registerClient,
      'GET state': () => [200, controlState()],
    },
    send: (req, res, status, body, headers) => send(res, status, body, undefined, headers),
    faultBody: (status) => ({ message: http.STATUS_CODES[status] ?? 'Error', documentation_url: `${DOCS}/rest`, status: String(status) }),
  });

  server.on('request', control.handler(async (req, res, u) => {
    try {
      const query = Object.fromEntries(u.searchParams);
      const path = u.pathname.replace(/\/+$/, '') || '/';
      const apps = path.match(/^\/applications\/([^/]+)\/(grant|token)$/);

      if (path === '/login/oauth/authorize' && req.method === 'GET') {
        handleAuthorize(req, res, query);
      } else if (path === '/login/oauth/authorize' && req.method === 'POST') {
        handleAuthorize(req, res, parseBody(await readBody(req), req.headers['content-type'] ?? ''));
      } else if (path === '/login/oauth/access_token' && req.method === 'POST') {
        await handleAccessToken(req, res, query);
      } else if (path === '/user' && req.method === 'GET') {
        handleUser(req, res);
      } else if (path === '/user/emails' && req.method === 'GET') {
        handleUserEmails(req, res);
      } else if (apps && (req.method === 'DELETE' || (req.method === 'POST' && apps[2] === 'token'))) {
        await handleApplications(req, res, decodeURIComponent(apps[1]), apps[2]);
      } else if (path.startsWith('/_avatar/u/') && req.method === 'GET') {
        avatar(res, path.slice('/_avatar/u/'.length).replace(/\.svg$/, ''));
      } else {
        send(res, 404, { message: 'Not Found', documentation_url: `${DOCS}/rest`, status: '404' });
      }
    } catch (err) {
      if (!res.headersSent) send(res, err.status ?? 500, { message: err.message });
      else res.destroy();
    }
  }));

  return {
    url,
    port: boundPort,
    async close() { await closeServer(server); },
  };
}
