/** The administration pages: account search, one account, the claims search and the ORCID inbox. */
export const ADMIN_PATHS = {
  home: '/settings/admin',
  claims: '/settings/admin/claims',
  notifications: '/settings/admin/notifications',
  account: (orcid: string) => `/settings/admin/accounts/${encodeURIComponent(orcid)}`,
} as const;
