import type { components } from '../api/schema';
import { unauthenticated, type Handlers } from './api';

// Test data, typed by the generated schema: a change in openapi.json that breaks these fails
// `npm run typecheck`.

type Schemas = components['schemas'];

export const ORCID = '0000-0002-1825-0097';

export function providersResponse(overrides: Partial<Schemas['ProvidersResponse']> = {}): Schemas['ProvidersResponse'] {
  return {
    providers: [
      { id: 'orcid', name: 'ORCID', sign_in_url: '/auth/orcid/start' },
      { id: 'google', name: 'Google', sign_in_url: '/auth/google/start' },
      { id: 'github', name: 'GitHub', sign_in_url: '/auth/github/start' },
    ],
    orcid_sandbox: false,
    orcid_url: 'https://orcid.org',
    datacite_search_url: 'https://search.datacite.org',
    ...overrides,
  };
}

export function orcidIdentity(overrides: Partial<Schemas['IdentityView']> = {}): Schemas['IdentityView'] {
  return {
    provider: 'orcid',
    subject: ORCID,
    display_name: 'Josiah Carberry',
    email: null,
    avatar_url: null,
    profile_url: `https://orcid.org/${ORCID}`,
    linked_at: '2024-01-15T10:00:00Z',
    last_used_at: '2025-03-01T09:30:00Z',
    token_state: 'active',
    token_expires_at: '2044-01-15T10:00:00Z',
    can_unlink: false,
    unlink_blocked_reason: 'ORCID is the anchor of your account and cannot be unlinked.',
    ...overrides,
  };
}

export function githubIdentity(overrides: Partial<Schemas['IdentityView']> = {}): Schemas['IdentityView'] {
  return {
    provider: 'github',
    subject: '583231',
    display_name: 'jcarberry',
    email: 'josiah@example.org',
    avatar_url: null,
    profile_url: 'https://github.com/jcarberry',
    linked_at: '2024-02-01T10:00:00Z',
    last_used_at: '2025-02-20T08:00:00Z',
    token_state: 'active',
    token_expires_at: null,
    can_unlink: true,
    unlink_blocked_reason: null,
    ...overrides,
  };
}

export function permission(
  kind: Schemas['PermissionKind'],
  overrides: Partial<Schemas['PermissionView']> = {},
): Schemas['PermissionView'] {
  return {
    kind,
    status: 'missing',
    scope: null,
    granted_at: null,
    expires_at: null,
    revoked_at: null,
    enable_url: `/auth/orcid/grant?kind=${kind}`,
    ...overrides,
  };
}

export function account(overrides: Partial<Schemas['AccountView']> = {}): Schemas['AccountView'] {
  return {
    orcid: ORCID,
    orcid_url: `https://orcid.org/${ORCID}`,
    name: 'Josiah Carberry',
    given_names: 'Josiah',
    family_name: 'Carberry',
    other_names: ['J. S. Carberry'],
    email: 'josiah@example.org',
    role: 'user',
    provider_id: null,
    client_id: null,
    beta_tester: false,
    is_public: true,
    created_at: '2024-01-15T10:00:00Z',
    updated_at: '2025-03-01T09:30:00Z',
    identities: [orcidIdentity(), githubIdentity()],
    permissions: [permission('search_and_link'), permission('auto_update')],
    ...overrides,
  };
}

export function session(overrides: Partial<Schemas['SessionView']> = {}): Schemas['SessionView'] {
  return {
    id: '7d4c3b8e-1a2b-4c5d-8e9f-0a1b2c3d4e5f',
    created_at: '2025-03-01T09:30:00Z',
    last_seen_at: '2025-03-02T11:00:00Z',
    expires_at: '2025-03-31T09:30:00Z',
    user_agent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
    ip: '192.0.2.10',
    current: true,
    ...overrides,
  };
}

export const OTHER_SESSION_ID = '0f9e8d7c-6b5a-4c3d-9e1f-2a3b4c5d6e7f';

/** A signed-in person with ORCID and GitHub linked, two sessions, no ORCID permissions yet. */
export function signedInHandlers(): Handlers {
  return {
    'GET /api/v1/auth/providers': () => providersResponse(),
    'GET /api/v1/accounts/me': () => account(),
    'GET /api/v1/accounts/me/identities': () => [orcidIdentity(), githubIdentity()],
    'GET /api/v1/accounts/me/permissions': () => [permission('search_and_link'), permission('auto_update')],
    'GET /api/v1/accounts/me/sessions': () => [
      session(),
      session({
        id: OTHER_SESSION_ID,
        current: false,
        user_agent:
          'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
        ip: '198.51.100.7',
        last_seen_at: '2025-02-27T16:45:00Z',
      }),
    ],
    'GET /api/v1/status': () => ({ version: '1.4.2', database: 'ok', queue_depth: 3 }),
    'POST /api/v1/auth/logout': () => undefined,
  };
}

/** Nobody signed in. */
export function signedOutHandlers(): Handlers {
  return {
    ...signedInHandlers(),
    'GET /api/v1/accounts/me': () => unauthenticated(),
  };
}
