import type { components } from '../../api/schema';

export type Claim = components['schemas']['ClaimView'];
export type ClaimList = components['schemas']['ClaimList'];
export type ClaimState = components['schemas']['ClaimState'];
export type ClaimSource = components['schemas']['ClaimSource'];
type PermissionKind = components['schemas']['PermissionKind'];
type PermissionStatus = components['schemas']['PermissionStatus'];
type TokenState = components['schemas']['TokenState'];

export interface Pill {
  label: string;
  tone: string;
}

/** Claim states as an administrator reads them (not "your record"). */
export const ADMIN_STATE_LABELS: Record<ClaimState, Pill> = {
  failed: { label: 'Failed', tone: 'danger' },
  waiting_for_permission: { label: 'Waiting for permission', tone: 'warning' },
  waiting: { label: 'Queued', tone: 'info' },
  working: { label: 'In progress', tone: 'info' },
  done: { label: 'Done', tone: 'success' },
  ignored: { label: 'Ignored', tone: 'neutral' },
  deleted: { label: 'Deleted', tone: 'neutral' },
};

/** Failed first: that is what an administrator looks for. */
export const ADMIN_STATES = Object.keys(ADMIN_STATE_LABELS) as ClaimState[];

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

/** Re-queueing is refused while a worker holds the claim, and pointless while it is queued. */
export const canRequeue = (state: ClaimState): boolean => state !== 'working' && state !== 'waiting';

/** The API ignores claims that are waiting, waiting for permission or failed. */
export const canIgnore = (state: ClaimState): boolean =>
  state === 'waiting' || state === 'waiting_for_permission' || state === 'failed';

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
