import { ME_KEY } from '../../../api/query-keys';

/**
 * Auto-Update's rules for the signed-in person (its mode and exclusions) live under this key, under
 * ['me'], so a claims action that adds an exclusion (dismissing, removing) refreshes them too.
 */
export const AUTO_UPDATE_KEY = [...ME_KEY, 'auto-update'] as const;
