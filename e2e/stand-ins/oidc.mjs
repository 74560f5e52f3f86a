// Local stand-ins for ORCID and Google sign-in, built on oidc-provider (panva), a certified
// OpenID Provider, so that the Profiles client is tested against real protocol rules (exact
// redirect URIs, PKCE verification, nonce, client authentication, single-use codes, signed
// id_tokens) rather than against a mock that accepts anything.
//
// Usage: const op = await startOidc({ flavour: 'orcid', clients: [{ client_id, client_secret,
// redirect_uris }] }); ... op.issuer is exactly `http://127.0.0.1:<port>` (no trailing slash).
//
// ── Signing in from a script (reqwest with a cookie jar and redirects disabled, or fetch with
//    redirect: 'manual' and a hand-kept cookie jar) ─────────────────────────────────────────────
//  1. GET the authorization URL
//       ORCID : {issuer}/oauth/authorize?client_id=…&response_type=code&scope=openid&redirect_uri=…&state=…
//       Google: {issuer}/o/oauth2/v2/auth?client_id=…&response_type=code&scope=openid%20email%20profile&redirect_uri=…&state=…&nonce=…
//     → 303 Location: /interaction/{uid}   (sets the _interaction and _session cookies)
//  2. (optional) GET {issuer}/interaction/{uid} → 200 HTML login page. Its <form method="post">
//     has action="{issuer}/interaction/{uid}" and the fields below.
//  3. POST {issuer}/interaction/{uid}, application/x-www-form-urlencoded:
//       prompt=login&login=<ORCID iD | email or handle>&password=<anything, may be empty>
//     → 303 Location: {issuer}/oauth/authorize/{uid} (ORCID) or {issuer}/o/oauth2/v2/auth/{uid} (Google)
//     An invalid login (e.g. an ORCID iD with a wrong check digit) → 400 with the form again.
//  4. GET that Location (it needs the _interaction_resume cookie from step 3) → 303 Location:
//       {redirect_uri}?code=…&state=…&iss={issuer}
//     Consent is granted automatically (autoConsent, the default): the login page is the only
//     page, as on orcid.org once you have signed in. With startOidc({ autoConsent: false }) step 4
//     instead answers 303 /interaction/{uid2}: POST prompt=consent to {issuer}/interaction/{uid2}
//     (→ 303 to the resume URL → 303 to the redirect_uri), or GET {issuer}/interaction/{uid2}/abort
//     to deny (→ redirect_uri?error=access_denied).
//  A second authorization in the same cookie jar skips the login page while the OP session lives
//  (send prompt=login to force it); signing in there as another account replaces the session's
//  login, as on orcid.org (no intermediate page). prompt=consent always shows the consent page,
//  even with autoConsent (oidc-provider insists; Google behaves the same).
//  `iss` on the redirect is RFC 9207; clients may ignore it.
//
// ── What is ORCID-like in flavour 'orcid' ──────────────────────────────────────────────────────
//  - endpoints /oauth/authorize, /oauth/token, /oauth/revoke, /oauth/jwks, /oauth/userinfo;
//  - client_secret_post; scopes openid, /authenticate, /read-limited, /activities/update,
//    /person/update, and the two-legged (client_credentials) scopes /read-public and
//    /premium-notification (the Member API's permission notifications, orcid-api.mjs);
//  - an authorization request asking for a two-legged scope is sent back to the client as
//    redirect_uri?error=invalid_scope&error_description=Invalid scope: /premium-notification
//    (ORCID-Source `OrcidOAuth2RequestValidator`), so no person's token ever carries one;
//  - a client_credentials request may ask only for two-legged scopes, anything else is
//    400 {"error":"invalid_scope","error_description":"Invalid scope: /activities/update"}.
//    Stricter than ORCID, whose token endpoint drops such scopes without a word: a client
//    asking for a scope it cannot get should hear of it here;
//  - the login name is the ORCID iD, which is the bare `sub`; id_token has name, given_name,
//    family_name and never email;
//  - access and refresh tokens live 631138518 s (~20 years); a refresh_token is always issued;
//  - the token response also carries `orcid` and `name`, and token_type is lower-case "bearer";
//  - each authorization gets its own grant, so revoking one token (POST /oauth/revoke with
//    client_id, client_secret, token → 200, empty body) also kills its paired refresh token but
//    leaves the account's other tokens alone;
//  - PKCE is not advertised and not required, but a code_challenge that is sent is verified.
//
// ── Dynamic client registration (RFC 7591; not offered by the real ORCID or Google) ─────────────
//  Open registration, no initial access token: many app instances can share one stand-in, each
//  with its own client and its own exact redirect URIs.
//    POST {issuer}/reg   Content-Type: application/json   (also `registration_endpoint` in discovery)
//      {"redirect_uris":["http://127.0.0.1:PORT/auth/orcid/callback", …],   required
//       "token_endpoint_auth_method":"client_secret_post",   optional; default: the flavour's
//                           (ORCID client_secret_post, the only one it accepts; Google client_secret_basic)
//       "grant_types":["authorization_code","refresh_token"],   optional; default: the flavour's
//                           (ORCID adds client_credentials); leave out refresh_token and no
//                           refresh token is issued
//       "client_id":"APP-…", "client_secret":"…",   optional: choose them (a taken client_id → 400)
//       "client_name":"…", "scope":"…", …}   any other RFC 7591 / OIDC registration metadata
//    → 201 {"client_id","client_secret","client_secret_expires_at":0,"client_id_issued_at",
//           "redirect_uris","grant_types","response_types","token_endpoint_auth_method", …}
//    → 400 {"error":"invalid_redirect_uri"|"invalid_client_metadata","error_description"}
//  Generated ids look like the provider's: ORCID `APP-` + 16 characters with a UUID secret,
//  Google `<digits>-<random>.apps.googleusercontent.com` with a `GOCSPX-` secret. A registered
//  client behaves exactly like a configured one (auto-consent, ORCID's scopes, token lifetimes,
//  always-issued refresh tokens and `orcid`/`name` token fields); it lives until the stand-in
//  stops. No registration access token is issued: clients cannot be read back or changed.
//
// ── Test controls (not part of any real provider) ──────────────────────────────────────────────
//  POST /_control/revoke-account-tokens  {"orcid":"…"} (or {"accountId":"…"} for Google)
//       → 200 {"revoked":n}: every code, access and refresh token of that account is gone, as when
//       the user removes the app from "trusted organizations" on orcid.org.
//  GET  /_control/token-info?token=…  → the same JSON as tokenInfo() below.
//  GET  /_control/state               → live tokens per account (no token values).
//  and the controls every stand-in shares (faults, latency, counters, request log: README.md
//  "Test controls"), in front of oidc-provider. A fault without a `body` answers an OAuth error
//  JSON ({"error":"server_error"|…,"error_description"}; 502–504: a gateway page); `reset` clears
//  faults and counters but keeps clients, sessions and tokens.

import http from 'node:http';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import Provider, { errors } from 'oidc-provider';
import {
  esc, digitsFrom, readBody, parseBody, page, listen, closeServer, urlHost, createControl,
} from './util.mjs';

/** ORCID's access-token lifetime, as seen in its token responses. */
export const ORCID_TOKEN_TTL = 631138518;

const person = (given, family) => ({ givenName: given, familyName: family, name: `${given} ${family}` });

/** Known ORCID test identities. Any other iD with a valid check digit also signs in. */
export const ORCID_FIXTURES = Object.freeze([
  { orcid: '0000-0002-1825-0097', ...person('Josiah', 'Carberry') },
  { orcid: '0000-0001-5109-3700', ...person('Laurel', 'Haak') },
  { orcid: '0000-0003-1419-2405', ...person('Martin', 'Fenner') },
  { orcid: '0000-0002-9079-593X', ...person('Sofia', 'Ramos') },
]);

/** Google's `sub` is a 21-digit string; derive one from the email so it is stable. */
export function googleSub(email) {
  return `1${digitsFrom(`google:${email.toLowerCase()}`, 20)}`;
}

/** Known Google test users. Any other email (or bare handle → handle@example.test) works too. */
export const GOOGLE_FIXTURES = Object.freeze([
  { email: 'alice@example.test', ...person('Alice', 'Example') },
  { email: 'bob@example.test', ...person('Bob', 'Example') },
  { email: 'josiah.carberry@example.test', ...person('Josiah', 'Carberry') },
].map((u) => ({ ...u, sub: googleSub(u.email) })));

/** ISO 7064 MOD 11-2, the ORCID check digit, over the first 15 digits. */
function orcidCheckDigit(digits15) {
  let total = 0;
  for (const d of digits15) total = (total + Number(d)) * 2;
  const result = (12 - (total % 11)) % 11;
  return result === 10 ? 'X' : String(result);
}

/**
 * Turn what someone typed into the canonical `0000-0002-1825-0097` form, or null when it is not
 * a valid iD. Accepts the https://orcid.org/ URI form, no dashes, and a lower-case x, because
 * people paste all of these.
 */
export function normalizeOrcid(input) {
  const raw = String(input ?? '').trim()
    .replace(/^https?:\/\/(sandbox\.)?orcid\.org\//i, '')
    .replaceAll('-', '')
    .toUpperCase();
  if (!/^\d{15}[\dX]$/.test(raw)) return null;
  if (orcidCheckDigit(raw.slice(0, 15)) !== raw[15]) return null;
  return raw.match(/.{4}/g).join('-');
}

function orcidPerson(orcid) {
  return ORCID_FIXTURES.find((f) => f.orcid === orcid)
    ?? { orcid, givenName: 'Test', familyName: `Researcher ${orcid}`, name: `Test Researcher ${orcid}` };
}

function googlePerson(login) {
  const text = String(login ?? '').trim().toLowerCase();
  const email = text.includes('@') ? text : `${text}@example.test`;
  if (!/^[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}$/.test(email)) return null;
  const fixture = GOOGLE_FIXTURES.find((u) => u.email === email);
  if (fixture) return fixture;
  const handle = email.split('@')[0];
  const given = handle.charAt(0).toUpperCase() + handle.slice(1);
  return { email, ...person(given, 'Tester'), sub: googleSub(email) };
}

// ── Storage ───────────────────────────────────────────────────────────────────────────────────
// oidc-provider's built-in memory adapter is one LRU of 1000 entries shared by every Provider in
// the process and cannot be listed. Ours is per provider and can be walked, which the
// revoke-account-tokens control and /_control/state need.

function createStore() {
  const entries = new Map(); // `${model}:${id}` → { model, id, payload, expiresAt }

  const live = (key) => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };

  class MapAdapter {
    constructor(model) { this.model = model; }

    key(id) { return `${this.model}:${id}`; }

    async upsert(id, payload, expiresIn) {
      const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : Infinity;
      entries.set(this.key(id), { model: this.model, id, payload, expiresAt });
    }

    async find(id) { return live(this.key(id))?.payload; }

    async findByUid(uid) { return this.#findBy('uid', uid); }

    async findByUserCode(userCode) { return this.#findBy('userCode', userCode); }

    async consume(id) {
      const entry = live(this.key(id));
      if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
    }

    async destroy(id) { entries.delete(this.key(id)); }

    async revokeByGrantId(grantId) {
      for (const [key, entry] of entries) {
        if (entry.model === this.model && entry.payload.grantId === grantId) entries.delete(key);
      }
    }

    #findBy(field, value) {
      for (const [key, entry] of entries) {
        if (entry.model === this.model && entry.payload[field] === value) return live(key)?.payload;
      }
      return undefined;
    }
  }

  const liveEntries = function* liveEntries() {
    for (const key of [...entries.keys()]) {
      const entry = live(key);
      if (entry) yield [key, entry];
    }
  };

  return {
    adapter: (model) => new MapAdapter(model),
    liveEntries,
    delete: (key) => entries.delete(key),
    has: (key) => Boolean(live(key)),
  };
}

/**
 * ORCID's two-legged scopes: what a client_credentials token may carry (`/read-public` for the
 * public API, `/premium-notification` to post permission notifications to inboxes).
 */
export const ORCID_CLIENT_CREDENTIALS_SCOPES = Object.freeze(['/read-public', '/premium-notification']);
/** An authorization (three-legged) request for one of these is invalid_scope (ORCID: `isClientCreditalScope`). */
const ORCID_TWO_LEGGED_ONLY = new Set(ORCID_CLIENT_CREDENTIALS_SCOPES);

// ── Token lookup shared with the ORCID Member API double ─────────────────────────────────────

const runningOrcid = new Set(); // providers of running 'orcid' stand-ins in this process

/** `{ clientName }` when the client was configured or registered with a client_name, else {}. */
async function clientNameOf(provider, clientId) {
  const client = await provider.Client.find(clientId);
  return client?.clientName ? { clientName: client.clientName } : {};
}

async function lookupToken(provider, token) {
  if (typeof token !== 'string' || token === '') return { active: false };
  const at = await provider.AccessToken.find(token);
  if (at?.isValid) {
    // A token whose grant is gone was revoked through the grant (another token of the pair).
    const grant = at.grantId ? await provider.Grant.find(at.grantId) : undefined;
    if (!grant) return { active: false };
    return {
      active: true, orcid: at.accountId, scope: at.scope ?? '', clientId: at.clientId, expiresAt: at.exp,
      ...await clientNameOf(provider, at.clientId),
    };
  }
  // Two-legged tokens (/read-public, /premium-notification) belong to no iD, like ORCID's `"orcid": null`.
  const cc = await provider.ClientCredentials.find(token);
  if (cc?.isValid) {
    return {
      active: true, orcid: null, scope: cc.scope ?? '', clientId: cc.clientId, expiresAt: cc.exp,
      ...await clientNameOf(provider, cc.clientId),
    };
  }
  return { active: false };
}

/**
 * What the ORCID stand-in knows about a bearer token: `{ active, orcid, scope, clientId,
 * expiresAt }` (plus `clientName` when the client has a client_name), or `{ active: false }` for an unknown, expired or revoked one. Looks in every
 * ORCID stand-in running in this process, so the Member API double can use it as is.
 */
export async function tokenInfo(token) {
  for (const provider of runningOrcid) {
    const info = await lookupToken(provider, token);
    if (info.active) return info;
  }
  return { active: false };
}

// ── Flavours ──────────────────────────────────────────────────────────────────────────────────

function randomChars(alphabet, length) {
  let out = '';
  for (const b of randomBytes(length)) out += alphabet[b % alphabet.length];
  return out;
}

const FLAVOURS = {
  orcid: {
    label: 'ORCID',
    routes: {
      authorization: '/oauth/authorize',
      token: '/oauth/token',
      revocation: '/oauth/revoke',
      jwks: '/oauth/jwks',
      userinfo: '/oauth/userinfo',
      // Not ORCID endpoints; moved under /oauth so they do not look like ORCID API paths.
      introspection: '/oauth/introspect',
      end_session: '/oauth/logout',
      registration: '/reg',
    },
    scopes: ['openid', '/authenticate', '/read-limited', '/activities/update', '/person/update', ...ORCID_CLIENT_CREDENTIALS_SCOPES],
    clientCredentialsScopes: new Set(ORCID_CLIENT_CREDENTIALS_SCOPES),
    twoLeggedOnlyScopes: ORCID_TWO_LEGGED_ONLY,
    claims: { openid: ['sub', 'name', 'given_name', 'family_name'] },
    clientAuthMethods: ['client_secret_post'],
    clientDefaults: {
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      response_types: ['code'],
    },
    ttl: {
      AccessToken: ORCID_TOKEN_TTL,
      RefreshToken: ORCID_TOKEN_TTL,
      ClientCredentials: ORCID_TOKEN_TTL,
      Grant: ORCID_TOKEN_TTL,
      IdToken: 600,
      AuthorizationCode: 600,
    },
    // Dynamically registered clients: ORCID's `APP-` + 16 shape and a UUID secret.
    newClientId: () => `APP-${randomChars('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 16)}`,
    newClientSecret: () => randomUUID(),
    // ORCID issues one token pair per authorization; see loadExistingGrant below.
    grantPerAuthorization: true,
    issueRefreshTokenAlways: true,
    lookupAccount: (id) => (normalizeOrcid(id) === id ? orcidPerson(id) : undefined),
    claimsOf: (p) => ({ sub: p.orcid, name: p.name, given_name: p.givenName, family_name: p.familyName }),
    login: {
      label: 'ORCID iD',
      hint: 'Any valid ORCID iD works, e.g. 0000-0002-1825-0097. The password is not checked.',
      // What the OP keeps as accountId; null means "not acceptable, show the form again".
      resolve: (typed) => normalizeOrcid(typed),
      invalid: 'That is not a valid ORCID iD (16 digits, last one may be X, with a correct check digit).',
      fixtures: () => ORCID_FIXTURES.map((f) => [f.orcid, f.name]),
    },
  },
  google: {
    label: 'Google',
    // Google's own paths, so nothing in a client can come to depend on oidc-provider's.
    routes: {
      authorization: '/o/oauth2/v2/auth',
      token: '/token',
      revocation: '/revoke',
      jwks: '/oauth2/v3/certs',
      userinfo: '/v1/userinfo',
      introspection: '/tokeninfo',
      end_session: '/logout',
      registration: '/reg', // Google has no such endpoint; this one is for the tests
    },
    scopes: ['openid', 'email', 'profile', 'offline_access'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', 'picture', 'locale'],
    },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    clientDefaults: {
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    },
    ttl: {
      AccessToken: 3599,
      RefreshToken: 180 * 24 * 3600,
      ClientCredentials: 3599,
      Grant: 180 * 24 * 3600,
      IdToken: 3600,
      AuthorizationCode: 600,
    },
    newClientId: () => `${randomChars('0123456789', 12)}-${randomChars('abcdefghijklmnopqrstuvwxyz0123456789', 32)}.apps.googleusercontent.com`,
    newClientSecret: () => `GOCSPX-${randomChars('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', 28)}`,
    grantPerAuthorization: false,
    issueRefreshTokenAlways: false, // as Google: only when offline access is asked for
    lookupAccount: undefined, // set per instance: Google accounts are remembered at login
    claimsOf: (p, issuer) => ({
      sub: p.sub,
      email: p.email,
      email_verified: true,
      name: p.name,
      given_name: p.givenName,
      family_name: p.familyName,
      picture: `${issuer}/_avatar/${p.sub}.svg`,
      locale: 'en',
    }),
    login: {
      label: 'Email or username',
      hint: 'Any email works; a bare name becomes name@example.test. The password is not checked.',
      resolve: null, // set per instance
      invalid: 'Enter an email address or a simple username.',
      fixtures: () => GOOGLE_FIXTURES.map((u) => [u.email, u.name]),
    },
  },
};

// Plain-language descriptions for the consent page (only shown with autoConsent: false).
const SCOPE_TEXT = {
  openid: 'Get your ORCID iD / account identifier',
  '/authenticate': 'Get your ORCID iD',
  '/read-limited': 'Read your information with visibility set to Trusted Organizations',
  '/activities/update': 'Add/update your research activities (works, affiliations, etc.)',
  '/person/update': 'Add/update other information about you (country, keywords, etc.)',
  email: 'See your primary email address',
  profile: 'See your personal info, including any info you have made publicly available',
  offline_access: 'Keep access when you are not using the app',
};

// ── The stand-in ──────────────────────────────────────────────────────────────────────────────

/**
 * Start an ORCID-like or Google-like OpenID Provider.
 * @param {object} options
 * @param {'orcid'|'google'} options.flavour
 * @param {number} [options.port=0] 0 picks a free port
 * @param {string} [options.host='127.0.0.1']
 * @param {Array<{client_id:string, client_secret:string, redirect_uris:string[]}>} options.clients
 * @param {boolean} [options.autoConsent=true] skip the consent page (login page only)
 * @returns {Promise<{issuer:string, port:number, close:() => Promise<void>, provider:Provider,
 *   tokenInfo:(token:string) => Promise<object>}>}
 */
export async function startOidc({
  flavour, port = 0, host = '127.0.0.1', clients = [], autoConsent = true,
} = {}) {
  const f = FLAVOURS[flavour];
  if (!f) throw new Error(`unknown flavour ${JSON.stringify(flavour)} (expected 'orcid' or 'google')`);

  // Bind first, so that the issuer can carry the real port even when port 0 was asked for.
  const server = http.createServer();
  const boundPort = await listen(server, port, host);
  const issuer = `http://${urlHost(host)}:${boundPort}`;

  const store = createStore();
  const googleAccounts = new Map(GOOGLE_FIXTURES.map((u) => [u.sub, u]));
  const lookupAccount = flavour === 'google' ? (id) => googleAccounts.get(id) : f.lookupAccount;
  const resolveLogin = flavour === 'google'
    ? (typed) => {
      const p = googlePerson(typed);
      if (!p) return null;
      googleAccounts.set(p.sub, p);
      return p.sub;
    }
    : f.login.resolve;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = {
    ...privateKey.export({ format: 'jwk' }), kid: `${flavour}-standin-${randomBytes(4).toString('hex')}`, alg: 'RS256', use: 'sig',
  };

  const configuredIds = new Set(clients.map((c) => c.client_id));
  /** RFC 7591 lets the server choose; a stand-in may as well honour a client_id asked for. */
  const registrationClientId = (ctx) => {
    const wanted = ctx.oidc.body?.client_id;
    if (wanted === undefined || wanted === null || wanted === '') return f.newClientId();
    if (typeof wanted !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(wanted)) {
      throw new errors.InvalidClientMetadata('client_id must be 1-200 visible ASCII characters');
    }
    if (configuredIds.has(wanted) || store.has(`Client:${wanted}`)) {
      throw new errors.InvalidClientMetadata(`client_id ${wanted} is already registered`);
    }
    return wanted;
  };
  const registrationClientSecret = async (ctx) => {
    const wanted = ctx.oidc.body?.client_secret;
    return typeof wanted === 'string' && wanted !== '' ? wanted : f.newClientSecret();
  };

  const provider = new Provider(issuer, {
    adapter: store.adapter,
    clients: clients.map((c) => ({ ...f.clientDefaults, ...c })),
    clientDefaults: f.clientDefaults,
    clientAuthMethods: f.clientAuthMethods,
    scopes: f.scopes,
    claims: f.claims,
    // Real ORCID and Google put the profile claims in the id_token itself, not only in userinfo.
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    routes: f.routes,
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    ttl: {
      ...f.ttl,
      Interaction: 3600,
      Session: 14 * 24 * 3600,
    },
    pkce: { required: () => false },
    features: {
      devInteractions: { enabled: false }, // our own pages below: see the comment there
      revocation: {
        enabled: true,
        // A client may revoke only its own tokens (both real providers behave so).
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      userinfo: { enabled: true },
      clientCredentials: { enabled: flavour === 'orcid' },
      rpInitiatedLogout: { enabled: false },
      // On by default in oidc-provider, offered by neither ORCID nor Google.
      pushedAuthorizationRequests: { enabled: false },
      dPoP: { enabled: false },
      // Open dynamic registration (see the top of this file).
      registration: {
        enabled: true,
        initialAccessToken: false,
        issueRegistrationAccessToken: false,
        idFactory: registrationClientId,
        secretFactory: registrationClientSecret,
      },
    },
    // ORCID's scope rules (see the top of this file), for the flavour that has them. An
    // `extraParams` validator runs on every authorization request after the client and its
    // redirect_uri are checked, so its InvalidScope goes back to the client as
    // redirect_uri?error=invalid_scope (oidc-provider itself lets an unknown or two-legged-only
    // scope through).
    extraParams: f.twoLeggedOnlyScopes ? {
      scope: async (_ctx, value) => {
        const refused = String(value ?? '').split(' ').find((s) => f.twoLeggedOnlyScopes.has(s));
        if (refused) throw new errors.InvalidScope(`Invalid scope: ${refused}`, refused);
      },
    } : [],
    // extraTokenClaims runs as each access or client_credentials token is saved, inside the token
    // endpoint's error handling: refusing there answers 400 invalid_scope and stores nothing.
    extraTokenClaims: async (_ctx, token) => {
      if (token.kind !== 'ClientCredentials' || !f.clientCredentialsScopes) return undefined;
      const refused = String(token.scope ?? '').split(' ').filter(Boolean).find((s) => !f.clientCredentialsScopes.has(s));
      if (refused) throw new errors.InvalidScope(`Invalid scope: ${refused}`, refused);
      return undefined;
    },
    // Tokens must not die with the browser session at the OP: neither provider does that.
    expiresWithSession: async () => false,
    issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token')
      && (f.issueRefreshTokenAlways || code.scopes.has('offline_access')),
    findAccount: async (_ctx, id) => {
      const p = lookupAccount(id);
      if (!p) return undefined;
      return { accountId: id, claims: async () => f.claimsOf(p, issuer) };
    },
    loadExistingGrant: async (ctx) => {
      const { oidc } = ctx;
      const grantId = oidc.result?.consent?.grantId
        || (f.grantPerAuthorization ? undefined : oidc.session.grantIdFor(oidc.client.clientId));
      const existing = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
      if (!autoConsent || oidc.result?.consent) return existing;
      // Auto-consent: grant exactly what was asked, so the consent prompt never triggers.
      const grant = existing ?? new oidc.provider.Grant({
        clientId: oidc.client.clientId, accountId: oidc.account.accountId,
      });
      grant.addOIDCScope([...oidc.requestParamOIDCScopes].join(' '));
      grant.addOIDCClaims([...oidc.requestParamClaims]);
      await grant.save();
      return grant;
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page({
        title: 'Something went wrong',
        provider: f.label,
        body: `<dl>${Object.entries(out).map(([k, v]) => `<dt>${esc(k)}</dt><dd><code>${esc(v)}</code></dd>`).join('')}</dl>`,
      });
    },
  });

  // ── Interaction pages ──
  // oidc-provider's devInteractions pages would do, but they @import a Google Fonts stylesheet
  // (a stall or failure offline), have no <label>s (tests then cannot find fields by name) and
  // take any login. These pages keep the devInteractions URLs and form fields
  // (POST /interaction/{uid} with prompt=login&login=…&password=…, or prompt=consent), so
  // scripts written for either work, and validate the login (ORCID check digit).

  const submitUrl = (uid) => `${issuer}/interaction/${uid}`;

  function loginPage(details, error, typed) {
    const { uid, params } = details;
    const value = typed ?? params.login_hint ?? '';
    const rows = f.login.fixtures()
      .map(([id, name]) => `<tr><td><code>${esc(id)}</code></td><td>${esc(name)}</td></tr>`).join('');
    return page({
      title: `Sign in to ${f.label}`,
      provider: f.label,
      status: error,
      body: `<p>Signing in to continue to <strong>${esc(params.client_id)}</strong>.</p>
<form method="post" action="${esc(submitUrl(uid))}" autocomplete="off">
  <input type="hidden" name="prompt" value="login">
  <label for="login">${esc(f.login.label)}</label>
  <input id="login" name="login" type="text" required autofocus value="${esc(value)}" aria-describedby="login-hint" list="known-identities">
  <p id="login-hint">${esc(f.login.hint)}</p>
  <datalist id="known-identities">${f.login.fixtures().map(([id]) => `<option value="${esc(id)}"></option>`).join('')}</datalist>
  <label for="password">Password</label>
  <input id="password" name="password" type="password">
  <button type="submit">Sign in</button>
</form>
<p><a href="${esc(submitUrl(uid))}/abort">Cancel and return to the application</a></p>
<h2>Test identities</h2>
<table><thead><tr><th scope="col">${esc(f.login.label)}</th><th scope="col">Name</th></tr></thead><tbody>${rows}</tbody></table>`,
    });
  }

  function consentPage(details) {
    const { uid, params, prompt } = details;
    const asked = (prompt.details.missingOIDCScope ?? String(params.scope ?? '').split(' ')).filter(Boolean);
    return page({
      title: 'Authorize access',
      provider: f.label,
      body: `<p><strong>${esc(params.client_id)}</strong> asks to:</p>
<ul>${asked.map((s) => `<li>${esc(SCOPE_TEXT[s] ?? s)} <code>${esc(s)}</code></li>`).join('')}</ul>
<form method="post" action="${esc(submitUrl(uid))}">
  <input type="hidden" name="prompt" value="consent">
  <button type="submit">Authorize access</button>
</form>
<form method="get" action="${esc(submitUrl(uid))}/abort">
  <button type="submit">Deny access</button>
</form>`,
    });
  }

  /**
   * Signing in as another account than the one this browser is signed in with (after
   * prompt=login) replaces that login, as on orcid.org and Google. oidc-provider would instead
   * answer the resume with a self-submitting page that ends the old session first (its
   * end_session confirmation), a page neither provider shows. So the old login is dropped here,
   * from the session (with its per-client grants) and from the interaction's note of it, which
   * must agree; the session itself stays (its uid ties it to this interaction).
   */
  async function forgetOtherLogin(interaction, accountId) {
    const origin = interaction.session;
    if (!origin?.uid || !origin.accountId || origin.accountId === accountId) return;
    const session = await provider.Session.findByUid(origin.uid);
    if (session) {
      for (const key of ['accountId', 'loginTs', 'amr', 'acr', 'authorizations']) delete session[key];
      await session.persist();
    }
    for (const key of ['accountId', 'amr', 'acr']) delete origin[key];
    await interaction.save(interaction.exp - Math.floor(Date.now() / 1000));
  }

  async function interactionRoute(ctx, uid, action) {
    let details;
    try {
      details = await provider.interactionDetails(ctx.req, ctx.res);
    } catch (err) {
      // Usually a missing/expired _interaction cookie: the browser must restart from the client.
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = page({ title: 'Sign-in expired', provider: f.label, status: err.error_description ?? err.message, body: '<p>Start again from the application.</p>' });
      return;
    }
    if (details.uid !== uid) ctx.throw(400, 'interaction mismatch');
    ctx.set('Cache-Control', 'no-store');

    if (action === 'abort') {
      const to = await provider.interactionResult(ctx.req, ctx.res, {
        error: 'access_denied', error_description: 'End-User aborted interaction',
      }, { mergeWithLastSubmission: false });
      ctx.status = 303;
      ctx.redirect(to);
      return;
    }

    if (ctx.method === 'GET') {
      ctx.type = 'html';
      ctx.body = details.prompt.name === 'login' ? loginPage(details) : consentPage(details);
      return;
    }

    const form = parseBody(await readBody(ctx.req), ctx.get('content-type'));
    let result;
    if (form.prompt === 'login' && details.prompt.name === 'login') {
      const accountId = resolveLogin(form.login);
      if (!accountId) {
        ctx.status = 400;
        ctx.type = 'html';
        ctx.body = loginPage(details, f.login.invalid, form.login);
        return;
      }
      await forgetOtherLogin(details, accountId);
      result = { login: { accountId } };
    } else if (form.prompt === 'consent' && details.prompt.name === 'consent') {
      const { prompt: { details: missing }, grantId, session, params } = details;
      const grant = grantId
        ? await provider.Grant.find(grantId)
        : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      result = { consent: { grantId: await grant.save() } };
    } else {
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = page({ title: 'Unexpected form', provider: f.label, body: `<p>This page expected prompt=${esc(details.prompt.name)}.</p>` });
      return;
    }
    const to = await provider.interactionResult(ctx.req, ctx.res, result, {
      mergeWithLastSubmission: form.prompt === 'consent',
    });
    ctx.status = 303;
    ctx.redirect(to);
  }

  // ── Test controls ──

  const TOKEN_MODELS = new Set(['AccessToken', 'RefreshToken', 'AuthorizationCode', 'Grant']);

  function revokeAccount(accountId) {
    let revoked = 0;
    for (const [key, entry] of store.liveEntries()) {
      if (TOKEN_MODELS.has(entry.model) && entry.payload.accountId === accountId) {
        store.delete(key);
        if (entry.model === 'AccessToken' || entry.model === 'RefreshToken') revoked += 1;
      }
    }
    return revoked;
  }

  function state() {
    const accounts = {};
    for (const [, { model, payload }] of store.liveEntries()) {
      if (model !== 'AccessToken' && model !== 'RefreshToken') continue;
      const a = (accounts[payload.accountId] ??= { accessTokens: 0, refreshTokens: 0, clients: [], scopes: [] });
      a[model === 'AccessToken' ? 'accessTokens' : 'refreshTokens'] += 1;
      if (!a.clients.includes(payload.clientId)) a.clients.push(payload.clientId);
      for (const s of String(payload.scope ?? '').split(' ').filter(Boolean)) if (!a.scopes.includes(s)) a.scopes.push(s);
    }
    return { flavour, issuer, accounts };
  }

  const control = createControl({
    routes: {
      'POST revoke-account-tokens': async ({ payload }) => {
        const body = await payload();
        const accountId = flavour === 'orcid' ? normalizeOrcid(body.orcid ?? body.accountId) : (body.accountId ?? body.sub);
        if (!accountId) {
          return [400, { error: flavour === 'orcid' ? 'body must be {"orcid":"<valid iD>"}' : 'body must be {"accountId":"<sub>"}' }];
        }
        return [200, { revoked: revokeAccount(accountId) }];
      },
      'GET token-info': async ({ query }) => [200, await lookupToken(provider, query.get('token') ?? undefined)],
      'GET state': () => [200, state()],
    },
    faultBody: (status) => ({
      error: { 401: 'invalid_client', 403: 'access_denied' }[status] ?? (status >= 500 ? 'server_error' : 'invalid_request'),
      error_description: http.STATUS_CODES[status] ?? 'Error',
    }),
  });

  // ── Middleware around oidc-provider's own routes ──

  provider.use(async (ctx, next) => {
    const interaction = ctx.path.match(/^\/interaction\/([\w-]+)(\/abort)?$/);
    if (interaction) return interactionRoute(ctx, interaction[1], interaction[2] ? 'abort' : undefined);
    const avatar = ctx.path.match(/^\/_avatar\/(\d+)\.svg$/);
    if (avatar && flavour === 'google') {
      const p = googleAccounts.get(avatar[1]);
      const letter = esc((p?.givenName ?? '?').charAt(0));
      ctx.type = 'image/svg+xml';
      ctx.body = `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96"><rect width="96" height="96" fill="#4285f4"/><text x="48" y="62" font-size="48" text-anchor="middle" fill="#fff" font-family="sans-serif">${letter}</text></svg>`;
      return undefined;
    }

    await next();

    if (flavour !== 'orcid') return undefined;
    if (ctx.path === f.routes.token && ctx.method === 'POST' && ctx.status === 200 && ctx.body?.access_token) {
      // ORCID's non-standard fields; Profiles stores `orcid` from here (volpino's parse_body).
      const info = await lookupToken(provider, ctx.body.access_token);
      const p = info.orcid ? orcidPerson(info.orcid) : undefined;
      ctx.body = {
        ...ctx.body, token_type: 'bearer', orcid: info.orcid ?? null, name: p?.name ?? null,
      };
    } else if (ctx.path === '/.well-known/openid-configuration' && ctx.status === 200) {
      // ORCID's discovery document advertises only the `openid` scope and no PKCE methods.
      const { code_challenge_methods_supported: _pkce, ...doc } = ctx.body;
      ctx.body = {
        ...doc,
        scopes_supported: ['openid'],
        claims_supported: ['family_name', 'given_name', 'name', 'auth_time', 'iss', 'sub'],
      };
    }
    return undefined;
  });

  server.on('request', control.handler(provider.callback()));
  if (flavour === 'orcid') runningOrcid.add(provider);

  return {
    issuer,
    port: boundPort,
    provider,
    tokenInfo: (token) => lookupToken(provider, token),
    revokeAccountTokens: (accountId) => revokeAccount(accountId),
    async close() {
      runningOrcid.delete(provider);
      await closeServer(server);
    },
  };
}
