/**
 * Every administration query (account search, an account, its claims, the audit log) lives under
 * this key, so one invalidation after a change refreshes the counts, the claims and the audit list.
 */
export const ADMIN_KEY = ['admin'] as const;
