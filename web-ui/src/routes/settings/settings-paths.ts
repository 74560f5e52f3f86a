/** "Your account" and the pages under it in the settings menu. */
export const ACCOUNT_PATHS = {
  account: '/settings',
  sessions: '/settings/sessions',
  apps: '/settings/apps',
  tokens: '/settings/tokens',
  data: '/settings/data',
} as const;

/**
 * Where each box of the old one-page "Your account" went, by the anchors a link to it could carry
 * (its heading's id, or the box's name): `/settings#api-tokens-heading` is `/settings/tokens` now.
 */
const MOVED_ANCHORS: Readonly<Record<string, string>> = {
  'sessions-heading': ACCOUNT_PATHS.sessions,
  sessions: ACCOUNT_PATHS.sessions,
  'active-sessions': ACCOUNT_PATHS.sessions,
  'api-tokens-heading': ACCOUNT_PATHS.tokens,
  'api-tokens': ACCOUNT_PATHS.tokens,
  tokens: ACCOUNT_PATHS.tokens,
  'your-data-heading': ACCOUNT_PATHS.data,
  'your-data': ACCOUNT_PATHS.data,
  data: ACCOUNT_PATHS.data,
  'delete-account': ACCOUNT_PATHS.data,
};

/** The page an old anchor of `/settings` (`#api-tokens-heading`) points to now, or null. */
export function movedAnchor(hash: string): string | null {
  return MOVED_ANCHORS[hash.replace(/^#/, '').toLowerCase()] ?? null;
}
