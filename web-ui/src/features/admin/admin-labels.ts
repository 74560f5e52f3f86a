import type { components } from '../../api/schema';

type PermissionKind = components['schemas']['PermissionKind'];
type PermissionStatus = components['schemas']['PermissionStatus'];
type TokenState = components['schemas']['TokenState'];

export interface Pill {
  label: string;
  tone: string;
}

export const PERMISSION_TITLES: Record<PermissionKind, string> = {
  search_and_link: 'Search & Link',
  auto_update: 'Auto-Update',
};

/** Permission health. */
export const PERMISSION_HEALTH: Record<PermissionStatus, Pill> = {
  active: { label: 'Active', tone: 'success' },
  missing: { label: 'Missing', tone: 'neutral' },
  expired: { label: 'Expired', tone: 'warning' },
  revoked: { label: 'Revoked', tone: 'neutral' },
  invalid: { label: 'Invalid: rejected by ORCID', tone: 'danger' },
};

export const TOKEN_STATE: Record<TokenState, Pill> = {
  active: { label: 'Token active', tone: 'success' },
  expired: { label: 'Token expired', tone: 'warning' },
  missing: { label: 'No token', tone: 'neutral' },
};

const AUDIT_ACTIONS: Record<string, string> = {
  'account.created': 'Account created',
  'account.updated': 'Account changed',
  'account.role_changed': 'Role changed',
  'account.deleted': 'Account deleted',
  'api_token.created': 'API token created',
  'api_token.revoked': 'API token revoked',
  'claim.requeued': 'Claim requeued',
  'claim.ignored': 'Claim marked ignored',
  'claims.retry_failed': 'Failed claims retried',
  'client.registered': 'Client application registered',
  'client.removed': 'Client application removed',
};

/** An audit action in words, e.g. `account.role_changed` → "Role changed". */
export function auditActionLabel(action: string): string {
  return AUDIT_ACTIONS[action] ?? action;
}

const ORCID_PATTERN = /^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$/;

/** Whether `value` looks like an ORCID iD (an audit actor can also be `command line` or `system`). */
export function isOrcidId(value: string): boolean {
  return ORCID_PATTERN.test(value);
}
