import { ME_KEY } from '../../../api/query-keys';

/**
 * Every query about claims (the counts, the claims list, and the works list, which carries each
 * work's claim) lives under this key, so one invalidation after adding, retrying or removing a
 * claim refreshes all of them.
 */
export const CLAIMS_KEY = [...ME_KEY, 'claims'] as const;
