import type { Role } from '../../lib/roles';
import type { ApiToken } from './api/get-api-tokens';

export interface ScopeInfo {
  scope: string;
  label: string;
  description: string;
  /** Whether an account with this role may give a token the scope (the API refuses others with 403). */
  allowed: (role: Role) => boolean;
}

/** The API's scopes, and who may use them: a token never does more than its owner. */
export const SCOPES: readonly ScopeInfo[] = [
  {
    scope: 'claims:read',
    label: 'Read claims',
    description: 'Read your ORCID claims and search your DOIs.',
    allowed: () => true,
  },
  {
    scope: 'claims:write',
    label: 'Write claims',
    description: 'Create, retry and remove your ORCID claims.',
    allowed: () => true,
  },
  {
    scope: 'accounts:read',
    label: 'Read accounts',
    description: 'Search and read the accounts your role lets you see in the administration area.',
    allowed: (role) => role !== 'user',
  },
  {
    scope: 'events:write',
    label: 'Post DOI events',
    description: 'Send DOI events that feed ORCID Auto-Update (for services).',
    allowed: (role) => role === 'staff_admin',
  },
];

/** The scopes this role may put on a token, in the order above. */
export function scopesFor(role: Role): ScopeInfo[] {
  return SCOPES.filter((s) => s.allowed(role));
}

export type TokenStatus = 'active' | 'expired' | 'revoked';

export function tokenStatus(token: ApiToken, now: Date = new Date()): TokenStatus {
  if (token.revoked_at) return 'revoked';
  if (token.expires_at && new Date(token.expires_at) <= now) return 'expired';
  return 'active';
}

export const TOKEN_STATUS_PILLS: Record<TokenStatus, { label: string; tone: string }> = {
  active: { label: 'Active', tone: 'success' },
  expired: { label: 'Expired', tone: 'warning' },
  revoked: { label: 'Revoked', tone: 'neutral' },
};

/** Days until a new token expires, as the API defaults and allows. */
export const DEFAULT_EXPIRY_DAYS = 90;
export const MAX_EXPIRY_DAYS = 365;
