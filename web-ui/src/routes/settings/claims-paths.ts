/**
 * The ORCID claims pages: the overview, the Search & Link search page, the full list of claims and
 * the activity in the ORCID record, Auto-Update's settings and, under them, its review queue.
 */
export const CLAIMS_PATHS = {
  overview: '/settings/claims',
  search: '/settings/claims/search',
  list: '/settings/claims/list',
  activity: '/settings/claims/activity',
  autoUpdate: '/settings/claims/auto-update',
  review: '/settings/claims/auto-update/review',
} as const;
