/** The ORCID claims pages: the overview, the Search & Link search page and the full list of claims. */
export const CLAIMS_PATHS = {
  overview: '/settings/claims',
  search: '/settings/claims/search',
  list: '/settings/claims/list',
} as const;
