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

export function googleIdentity(overrides: Partial<Schemas['IdentityView']> = {}): Schemas['IdentityView'] {
  return {
    provider: 'google',
    subject: '109876543210987654321',
    display_name: 'Josiah Carberry',
    email: 'josiah.carberry@gmail.example',
    avatar_url: null,
    profile_url: null,
    linked_at: '2024-03-01T10:00:00Z',
    last_used_at: '2025-02-25T08:00:00Z',
    token_state: 'active',
    token_expires_at: '2025-02-25T09:00:00Z',
    can_unlink: true,
    unlink_blocked_reason: null,
    ...overrides,
  };
}

/** Auto-Update's schedule: DataCite polled every 15 minutes, last at 14:02 UTC, next at 14:17. */
export function autoUpdateStatus(overrides: Partial<Schemas['AutoUpdateStatus']> = {}): Schemas['AutoUpdateStatus'] {
  return {
    every_secs: 900,
    last_checked_at: '2025-03-02T14:02:00Z',
    last_dois: 3,
    last_claims_created: 2,
    next_check_at: '2025-03-02T14:17:00Z',
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

const NO_CLAIMS: Record<Schemas['ClaimState'], number> = {
  waiting: 0,
  waiting_for_permission: 0,
  working: 0,
  done: 0,
  failed: 0,
  deleted: 0,
  ignored: 0,
  removed_in_orcid: 0,
  pending_review: 0,
};

/** Claim counts per state, every state listed as the API does. */
export function claimStates(counts: Partial<Record<Schemas['ClaimState'], number>> = {}): Record<string, number> {
  return { ...NO_CLAIMS, ...counts };
}

export function claimStats(overrides: Partial<Schemas['ClaimStats']> = {}): Schemas['ClaimStats'] {
  return {
    total: 0,
    states: claimStates(),
    sources: [
      { source: 'search_and_link', label: 'ORCID Search & Link', total: 0, states: claimStates() },
      { source: 'auto_update', label: 'ORCID Auto-Update', total: 0, states: claimStates() },
    ],
    last_claimed: null,
    ...overrides,
  };
}

export function claim(overrides: Partial<Schemas['ClaimView']> = {}): Schemas['ClaimView'] {
  const doi = overrides.doi ?? '10.5555/j9cp-6b21';
  return {
    id: '3b241101-e2bb-4255-8caf-4136c566a962',
    orcid: ORCID,
    doi,
    doi_url: `https://doi.org/${doi}`,
    title: 'Ocean temperatures 1990–2020',
    source: 'search_and_link',
    action: 'create',
    state: 'done',
    attempts: 1,
    error: null,
    skip_reason: null,
    put_code: 12345,
    claimed_at: '2025-02-14T12:00:00Z',
    created_at: '2025-02-14T11:59:00Z',
    updated_at: '2025-02-14T12:00:00Z',
    ...overrides,
  };
}

export function claimList(claims: Schemas['ClaimView'][], meta: Partial<Schemas['ClaimListMeta']> = {}): Schemas['ClaimList'] {
  return {
    data: claims,
    meta: {
      total: claims.length,
      page: 1,
      page_size: 25,
      total_pages: claims.length > 0 ? 1 : 0,
      states: claimStates(),
      sources: { search_and_link: 0, auto_update: 0 },
      ...meta,
    },
    links: { next: null },
  };
}

export function work(overrides: Partial<Schemas['WorkView']> = {}): Schemas['WorkView'] {
  const doi = overrides.doi ?? '10.5555/k4s2-v7q8';
  return {
    doi,
    doi_url: `https://doi.org/${doi}`,
    title: 'Glacier melt measurements, Svalbard',
    creators: ['Carberry, Josiah'],
    journal_title: 'DataCite',
    publication_year: 2023,
    work_type: 'data-set',
    claim: null,
    in_orcid_record: false,
    ...overrides,
  };
}

export function workList(works: Schemas['WorkView'][], meta: Partial<Schemas['WorkListMeta']> = {}): Schemas['WorkList'] {
  return {
    data: works,
    meta: { total: works.length, page: 1, page_size: 25, total_pages: works.length > 0 ? 1 : 0, ...meta },
  };
}

export function apiToken(overrides: Partial<Schemas['ApiTokenView']> = {}): Schemas['ApiTokenView'] {
  return {
    id: '5a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    name: 'Repository sync',
    hint: 'prf_Lu1ppEul_…',
    scopes: ['claims:read'],
    created_at: '2025-01-10T08:00:00Z',
    expires_at: '2099-04-10T08:00:00Z',
    last_used_at: '2025-03-01T07:15:00Z',
    revoked_at: null,
    ...overrides,
  };
}

export const TOKEN_SECRET = 'prf_N3wT0ken_s3cr3tV4lueTh4tIsSh0wnOnlyOnce0123456';

export function createdApiToken(overrides: Partial<Schemas['CreatedApiToken']> = {}): Schemas['CreatedApiToken'] {
  return {
    ...apiToken({
      id: '9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f',
      name: 'Event feed',
      hint: 'prf_N3wT0ken_…',
      created_at: '2025-03-02T12:00:00Z',
      last_used_at: null,
    }),
    token: TOKEN_SECRET,
    ...overrides,
  };
}

export const OTHER_ORCID = '0000-0001-5109-3700';

export function adminAccountSummary(
  overrides: Partial<Schemas['AdminAccountSummary']> = {},
): Schemas['AdminAccountSummary'] {
  return {
    id: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
    orcid: OTHER_ORCID,
    name: 'Laure Haak',
    email: 'laure@example.org',
    role: 'user',
    provider_id: null,
    client_id: null,
    is_public: true,
    beta_tester: false,
    created_at: '2023-06-01T10:00:00Z',
    claims: 4,
    claims_failed: 1,
    ...overrides,
  };
}

export function adminAccountList(
  accounts: Schemas['AdminAccountSummary'][],
  meta: Partial<Schemas['AdminAccountListMeta']> = {},
): Schemas['AdminAccountList'] {
  return {
    data: accounts,
    meta: {
      total: accounts.length,
      page: 1,
      page_size: 25,
      total_pages: accounts.length > 0 ? 1 : 0,
      roles: { user: accounts.length },
      created_years: { '2023': accounts.length },
      ...meta,
    },
  };
}

export function adminAccountDetail(
  overrides: Partial<Schemas['AdminAccountDetail']> = {},
): Schemas['AdminAccountDetail'] {
  return {
    account: adminAccountSummary(),
    identities: [orcidIdentity({ subject: OTHER_ORCID, display_name: 'Laure Haak' })],
    permissions: [
      permission('search_and_link', { status: 'invalid', granted_at: '2024-05-01T10:00:00Z', scope: '/activities/update' }),
      permission('auto_update'),
    ],
    claim_states: claimStates({ done: 3, failed: 1 }),
    claim_sources: { search_and_link: 4, auto_update: 0 },
    ...overrides,
  };
}

export function auditEntry(overrides: Partial<Schemas['AuditEntry']> = {}): Schemas['AuditEntry'] {
  return {
    id: 41,
    actor: ORCID,
    action: 'account.updated',
    target_type: 'account',
    target_id: OTHER_ORCID,
    details: { before: { beta_tester: false }, after: { beta_tester: true } },
    at: '2025-03-01T10:00:00Z',
    ...overrides,
  };
}

/** One entry of an ORCID record's activity log: a work added by Search & Link. */
export function activityEntry(overrides: Partial<Schemas['ActivityEntry']> = {}): Schemas['ActivityEntry'] {
  return {
    id: 7,
    orcid: ORCID,
    claim_id: '3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c',
    doi: '10.5555/k4s2-v7q8',
    action: 'added',
    reason: 'search_and_link',
    actor: null,
    put_code: 1001,
    orcid_status: null,
    error_code: null,
    message: null,
    at: '2025-03-01T10:00:00Z',
    ...overrides,
  };
}

/** A page of the activity log; `next` is its `links.next` (the older entries), if any. */
export function activityList(entries: Schemas['ActivityEntry'][], next: string | null = null): Schemas['ActivityList'] {
  return { data: entries, links: { next } };
}

/** A permission request in an ORCID inbox: sent, accepted by ORCID, read, and granted through. */
export function notification(overrides: Partial<Schemas['NotificationView']> = {}): Schemas['NotificationView'] {
  return {
    id: '8a7b6c5d-4e3f-4a2b-9c1d-0e9f8a7b6c5d',
    orcid: OTHER_ORCID,
    status: 'sent',
    answer: 'accepted',
    attempts: 1,
    orcid_status: 201,
    message: null,
    put_code: 4711,
    created_at: '2025-03-01T08:00:00Z',
    sent_at: '2025-03-01T08:00:05Z',
    read_at: '2025-03-02T09:00:00Z',
    actioned_at: '2025-03-02T09:01:00Z',
    archived_at: null,
    granted_at: '2025-03-02T09:02:00Z',
    expires_at: '2025-03-31T08:00:00Z',
    works: [{ doi: '10.5555/k4s2-v7q8', title: 'Glacier melt measurements, Svalbard' }],
    ...overrides,
  };
}

export function notificationList(
  notifications: Schemas['NotificationView'][],
  meta: Partial<Schemas['NotificationListMeta']> = {},
): Schemas['NotificationList'] {
  return { data: notifications, meta: { total: notifications.length, page: 1, size: 25, ...meta } };
}

export function notificationSummary(
  overrides: Partial<Schemas['NotificationSummary']> = {},
): Schemas['NotificationSummary'] {
  return {
    enabled: true,
    people_notified: 8,
    people_granted: 2,
    conversion: 0.25,
    by_status: { sent: 7, failed: 1 },
    by_answer: { accepted: 7, record_locked: 1 },
    claims_waiting: 12,
    claims_expired: 3,
    ...overrides,
  };
}

/** A third-party app the person agreed to, signed in to it in one browser. */
export function appAccess(overrides: Partial<Schemas['AppAccess']> = {}): Schemas['AppAccess'] {
  return {
    client_id: 'pc_R3p0sit0ryOfExampl3s',
    name: 'Repository of Examples',
    scopes: ['openid', 'profile', 'email'],
    first_party: false,
    consented_at: '2025-02-20T10:00:00Z',
    last_signed_in_at: '2025-03-01T08:30:00Z',
    active_sign_ins: 1,
    ...overrides,
  };
}

/** A confidential client application, as staff see it. */
export function clientView(overrides: Partial<Schemas['ClientView']> = {}): Schemas['ClientView'] {
  return {
    client_id: 'pc_R3p0sit0ryOfExampl3s',
    name: 'Repository of Examples',
    kind: 'confidential',
    redirect_uris: ['https://repository.example.org/auth/profiles/callback'],
    post_logout_redirect_uris: [],
    backchannel_logout_uri: null,
    allowed_scopes: ['openid', 'profile', 'email'],
    first_party: false,
    created_at: '2025-02-01T09:00:00Z',
    ...overrides,
  };
}

export const CLIENT_SECRET = 'pcs_Th1sIsTh3Cl13ntS3cr3tSh0wnOnlyOnc3_0123456789abcdef';

export function registeredClient(overrides: Partial<Schemas['RegisteredClient']> = {}): Schemas['RegisteredClient'] {
  return {
    client: clientView({
      client_id: 'pc_N3wCl13ntF0rC0mmons',
      name: 'DataCite Commons',
      first_party: true,
      created_at: '2025-03-02T12:00:00Z',
    }),
    client_secret: CLIENT_SECRET,
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
    'GET /api/v1/accounts/me/claims/stats': () => claimStats(),
    'GET /api/v1/accounts/me/tokens': () => [apiToken()],
    'GET /api/v1/accounts/me/apps': () => ({ data: [] }),
    'GET /api/v1/claims': () => claimList([]),
    'GET /api/v1/works': () => workList([]),
    'GET /api/v1/accounts/me/activity': () => activityList([]),
    'GET /api/v1/auto-update/status': () => autoUpdateStatus(),
    'GET /api/v1/auto-update/settings': () => ({ mode: 'automatic', inbox_notifications: true }),
    'GET /api/v1/auto-update/exclusions': () => [],
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
