// A client application that signs people in with Profiles (issue 18, Profiles as an OpenID
// Provider), as a repository or a journal system would: a small Node web app built on panva's
// `openid-client` (OpenID-certified), on a free port of 127.0.0.1, run inside the Playwright worker
// so a journey can read what it received. Nothing in it knows Profiles beyond its issuer URL:
// discovery, the code flow with PKCE S256, state and nonce, the ID token's checks (issuer,
// audience, nonce, expiry, and its signature against the JWKS: `enableNonRepudiationChecks`),
// userinfo, refresh, RP-initiated logout and back-channel logout are all openid-client's (and
// `jose`'s, for the logout token).
//
//   GET  /            "Sign in with Profiles", or who is signed in
//   GET  /login       → Profiles' authorization endpoint (PKCE, state and nonce kept in this app's
//                       memory, keyed by its own cookie; `?scope=`, `?prompt=` to ask otherwise)
//   GET  /callback    authorizationCodeGrant + fetchUserInfo: the ID token's claims and userinfo
//   POST /refresh     refreshTokenGrant: the new tokens (or openid-client's error)
//   POST /logout      → Profiles' end_session_endpoint (id_token_hint, post_logout_redirect_uri, state)
//   GET  /signed-out  the post-logout page (checks the state it sent)
//   POST /backchannel back-channel logout: verifies the logout_token (JWKS, iss, aud, typ, events),
//                     records it, and ends this app's sessions of that sid
//
// `registerWithCli` registers an app as staff do from the command line (`profiles clients add`).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { ROOT, SERVER_BIN, currentStack } from './stack.js';

const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>${escape(title)}</title>
<style>body{font-family:sans-serif;max-width:50rem;margin:1.5rem auto;padding:0 1rem;color:#111}
th{text-align:left;padding-right:1rem;vertical-align:top}td{word-break:break-all}</style></head>
<body><main>${body}</main></body></html>`;
}

/** A table of claims, one row each: `claim` (row header) and its value. */
function claimsTable(label, claims) {
  const id = label.toLowerCase().replace(/[^a-z]+/g, '-');
  const rows = Object.entries(claims)
    .map(([k, v]) => `<tr><th scope="row">${escape(k)}</th><td>${escape(typeof v === 'string' ? v : JSON.stringify(v))}</td></tr>`)
    .join('');
  return `<section aria-labelledby="${id}"><h2 id="${id}">${escape(label)}</h2><table><tbody>${rows}</tbody></table></section>`;
}

const tail = (token) => `…${token.slice(-6)}`;

/** What an openid-client call threw, as OAuth names it. */
function oauthError(err) {
  return {
    error: err.error ?? err.code ?? err.name,
    description: err.error_description ?? err.message,
    status: err.status,
  };
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/**
 * Starts the app (not yet registered: its URIs are needed first). `configure()` then discovers
 * the provider with the client's credentials: `auth` is `post` (client_secret_post, openid-client's
 * default with a secret), `basic` (client_secret_basic) or `none` (a public client).
 */
export async function startRelyingParty({ name }) {
  const sessions = new Map();
  const rp = {
    name,
    url: null,
    config: null,
    clientId: null,
    /** Every logout token received: `{ claims, header, verified: true }` or `{ error }`. */
    logoutTokens: [],
    /** The authorization URLs this app sent browsers to. */
    authorizationUrls: [],
    sessions,
  };
  // Browsers on 127.0.0.1 share their cookies across ports: a name of this app's own.
  let cookieName = 'rp';

  const sessionOf = (req, res) => {
    const found = (req.headers.cookie ?? '').split(/;\s*/).map((c) => c.split('=')).find(([k]) => k === cookieName);
    if (found && sessions.has(found[1])) return sessions.get(found[1]);
    const id = randomBytes(16).toString('hex');
    const session = { id };
    sessions.set(id, session);
    res.setHeader('Set-Cookie', `${cookieName}=${id}; Path=/; HttpOnly; SameSite=Lax`);
    return session;
  };

  const send = (res, status, html) => {
    res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(html);
  };
  const redirect = (res, location) => {
    res.writeHead(303, { Location: location, 'Cache-Control': 'no-store' });
    res.end();
  };

  /** The signed-in page: the ID token's claims, userinfo, and what the person can do here. */
  const signedInPage = (session, notice = '') => page(`Signed in · ${name}`, `<h1>Signed in to ${escape(name)}</h1>
${notice}<p>Signed in with Profiles as <strong>${escape(session.userinfo.name ?? session.claims.sub)}</strong>.</p>
${claimsTable('ID token claims', session.claims)}
${claimsTable('UserInfo', session.userinfo)}
<form method="post" action="/refresh"><button type="submit">Refresh tokens</button></form>
<form method="post" action="/logout"><button type="submit">Sign out</button></form>`);

  const routes = {
    'GET /': (req, res, session) => {
      if (session.claims) return send(res, 200, signedInPage(session));
      const ended = session.endedBy ? `<p role="status">Profiles ended your session (${escape(session.endedBy)}).</p>` : '';
      return send(res, 200, page(name, `<h1>${escape(name)}</h1>${ended}<p>You are not signed in.</p>
<p><a href="/login">Sign in with Profiles</a></p>`));
    },

    'GET /login': async (req, res, session) => {
      session.codeVerifier = oidc.randomPKCECodeVerifier();
      session.state = oidc.randomState();
      session.nonce = oidc.randomNonce();
      const params = {
        redirect_uri: rp.redirectUri,
        scope: rp.scope,
        code_challenge: await oidc.calculatePKCECodeChallenge(session.codeVerifier),
        code_challenge_method: 'S256',
        state: session.state,
        nonce: session.nonce,
      };
      // `/login?scope=…` asks for other scopes than the app's usual ones (e.g. offline_access).
      const asked = new URL(req.url, rp.url).searchParams;
      if (asked.get('scope')) params.scope = asked.get('scope');
      if (asked.get('prompt')) params.prompt = asked.get('prompt');
      const url = oidc.buildAuthorizationUrl(rp.config, params);
      rp.authorizationUrls.push(url.href);
      redirect(res, url.href);
    },

    'GET /callback': async (req, res, session) => {
      try {
        const tokens = await oidc.authorizationCodeGrant(rp.config, new URL(req.url, rp.url), {
          pkceCodeVerifier: session.codeVerifier,
          expectedState: session.state,
          expectedNonce: session.nonce,
          idTokenExpected: true,
        });
        Object.assign(session, { tokens, claims: tokens.claims(), spent: [], endedBy: null });
        session.userinfo = await oidc.fetchUserInfo(rp.config, tokens.access_token, session.claims.sub);
        send(res, 200, signedInPage(session));
      } catch (err) {
        session.error = oauthError(err);
        send(res, 400, page(`Sign-in failed · ${name}`, `<h1>Sign-in failed</h1>
<p>Profiles answered <code>${escape(session.error.error)}</code>: ${escape(session.error.description)}</p><p><a href="/">Back</a></p>`));
      } finally {
        delete session.codeVerifier;
        delete session.state;
        delete session.nonce;
      }
    },

    'POST /refresh': async (req, res, session) => {
      await readBody(req);
      if (!session.tokens) return redirect(res, '/');
      const old = session.tokens.refresh_token;
      const result = await rp.refreshWith(old);
      if (result.error) {
        session.refreshError = result;
        return send(res, 400, page(`Refresh refused · ${name}`, `<h1>Refresh refused</h1>
<p>Profiles answered <code>${escape(result.error)}</code>: ${escape(result.description)}</p><p><a href="/">Back</a></p>`));
      }
      session.spent.push(old);
      session.tokens = result.tokens;
      session.claims = result.tokens.claims() ?? session.claims;
      return send(res, 200, signedInPage(session, `<p role="status">New tokens: refresh token ${escape(tail(result.tokens.refresh_token))} replaced ${escape(tail(old))}.</p>`));
    },

    'POST /logout': async (req, res, session) => {
      await readBody(req);
      if (!session.tokens) return redirect(res, '/');
      session.logoutState = oidc.randomState();
      redirect(res, oidc.buildEndSessionUrl(rp.config, {
        id_token_hint: session.tokens.id_token,
        post_logout_redirect_uri: rp.postLogoutRedirectUri,
        state: session.logoutState,
      }).href);
    },

    'GET /signed-out': (req, res, session) => {
      const state = new URL(req.url, rp.url).searchParams.get('state');
      const ours = Boolean(session.logoutState) && state === session.logoutState;
      for (const k of ['tokens', 'claims', 'userinfo', 'logoutState']) delete session[k];
      send(res, ours ? 200 : 400, page(`Signed out · ${name}`, ours
        ? `<h1>You are signed out of ${escape(name)}</h1><p>Profiles signed you out too.</p><p><a href="/">Back to ${escape(name)}</a></p>`
        : '<h1>Unexpected sign-out</h1><p>The state did not match the one this app sent.</p>'));
    },

    'POST /backchannel': async (req, res) => {
      const logoutToken = new URLSearchParams(await readBody(req)).get('logout_token');
      try {
        const { payload, protectedHeader } = await jose.jwtVerify(logoutToken ?? '', rp.jwks, {
          issuer: rp.config.serverMetadata().issuer,
          audience: rp.clientId,
          typ: 'logout+jwt',
          algorithms: rp.config.serverMetadata().id_token_signing_alg_values_supported,
          requiredClaims: ['iat', 'jti', 'events'],
        });
        if (typeof payload.events?.[BACKCHANNEL_EVENT] !== 'object') throw new Error('no back-channel logout event');
        if ('nonce' in payload) throw new Error('a logout token has no nonce');
        if (!payload.sid && !payload.sub) throw new Error('neither sid nor sub');
        rp.logoutTokens.push({ claims: payload, header: protectedHeader, verified: true });
        for (const s of sessions.values()) {
          if (s.claims && (payload.sid ? s.claims.sid === payload.sid : s.claims.sub === payload.sub)) {
            for (const k of ['tokens', 'claims', 'userinfo']) delete s[k];
            s.endedBy = 'back-channel logout';
          }
        }
        res.writeHead(200, { 'Cache-Control': 'no-store' });
        res.end();
      } catch (err) {
        rp.logoutTokens.push({ error: err.message });
        res.writeHead(400, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
        res.end(JSON.stringify({ error: 'invalid_request', error_description: err.message }));
      }
    },
  };

  const server = http.createServer(async (req, res) => {
    const route = routes[`${req.method} ${new URL(req.url, 'http://rp').pathname}`];
    if (!route) return send(res, 404, page('Not found', '<h1>Not found</h1>'));
    if (!rp.config && !req.url.startsWith('/backchannel')) return send(res, 503, page('Not configured', '<h1>Not registered yet</h1>'));
    try {
      // The back-channel is a server-to-server call: no browser session of ours.
      await route(req, res, req.url.startsWith('/backchannel') ? null : sessionOf(req, res));
    } catch (err) {
      if (!res.headersSent) send(res, 500, page('Error', `<h1>Error</h1><pre>${escape(err.stack)}</pre>`));
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  cookieName = `rp${port}`;
  rp.url = `http://127.0.0.1:${port}`;
  rp.redirectUri = `${rp.url}/callback`;
  rp.postLogoutRedirectUri = `${rp.url}/signed-out`;
  rp.backchannelLogoutUri = `${rp.url}/backchannel`;

  /** Discovers the provider at `issuer` as client `clientId`. */
  rp.configure = async ({ issuer, clientId, clientSecret, auth = 'post', scope = 'openid profile' }) => {
    const method = { post: oidc.ClientSecretPost, basic: oidc.ClientSecretBasic, none: oidc.None }[auth];
    rp.config = await oidc.discovery(new URL(issuer), clientId, clientSecret, method(clientSecret), {
      // The suite's Profiles is plain http on 127.0.0.1; a real issuer is https.
      execute: [oidc.allowInsecureRequests, oidc.enableNonRepudiationChecks],
    });
    rp.clientId = clientId;
    rp.scope = scope;
    rp.jwks = jose.createRemoteJWKSet(new URL(rp.config.serverMetadata().jwks_uri));
    return rp.config;
  };

  /** refreshTokenGrant with `refreshToken`: `{ tokens }`, or `{ error, description }` as Profiles refused it. */
  rp.refreshWith = async (refreshToken) => {
    try {
      return { tokens: await oidc.refreshTokenGrant(rp.config, refreshToken) };
    } catch (err) {
      return oauthError(err);
    }
  };

  /** The one browser session of this app that holds tokens (a journey has one person). */
  rp.signedIn = () => [...sessions.values()].find((s) => s.claims);

  rp.stop = () => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return rp;
}

/**
 * Registers a client as staff do from the command line: `profiles clients add`, with the stack's
 * environment (its database and secrets; PUBLIC_URL for the issuer it prints). `registerWithCli(rp)`
 * registers a relying party of `startRelyingParty` with all of its URIs. Resolves with the printed
 * `clientId`, `clientSecret` (null for a public client), `issuer` and `scopes`.
 */
export function registerWithCli(client, { scopes = [], isPublic = false, firstParty = false } = {}) {
  const stack = currentStack();
  const args = ['clients', 'add', '--name', client.name, '--redirect-uri', client.redirectUri,
    ...scopes.flatMap((s) => ['--scope', s]),
    ...(isPublic ? ['--public'] : []),
    ...(firstParty ? ['--first-party'] : []),
    ...(client.postLogoutRedirectUri ? ['--post-logout-redirect-uri', client.postLogoutRedirectUri] : []),
    ...(client.backchannelLogoutUri ? ['--backchannel-logout-uri', client.backchannelLogoutUri] : [])];
  return new Promise((resolve, reject) => {
    execFile(SERVER_BIN, args, {
      cwd: ROOT,
      env: { ...process.env, ...stack.serverEnv, PUBLIC_URL: stack.appUrl, RUST_LOG: 'warn' },
      timeout: 30_000,
    }, (err, out, errOut) => {
      if (err) return reject(new Error(`profiles ${args.join(' ')} failed: ${err.message}\n${errOut}`));
      const line = (key) => new RegExp(`^${key}:\\s+(\\S+)`, 'm').exec(out)?.[1];
      const secret = line('client_secret');
      return resolve({
        output: out,
        clientId: line('client_id'),
        clientSecret: secret?.startsWith('pcs_') ? secret : null,
        issuer: line('issuer'),
        scopes: /^scopes:\s+(.*)$/m.exec(out)?.[1].trim().split(' '),
      });
    });
  });
}
