/**
 * The root of every query about the signed-in person. `['me']` itself is the account
 * (`GET /api/v1/accounts/me`); identities, permissions and sessions live under it, so invalidating
 * `['me']` refreshes all of them after a change, without features importing each other.
 */
export const ME_KEY = ['me'] as const;
