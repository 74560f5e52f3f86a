/**
 * The administration pages: account search, one account, the claims search, the ORCID inbox and
 * the client applications.
 */
export const ADMIN_PATHS = {
  home: '/settings/admin',
  claims: '/settings/admin/claims',
  notifications: '/settings/admin/notifications',
  clients: '/settings/admin/clients',
  account: (orcid: string) => `/settings/admin/accounts/${encodeURIComponent(orcid)}`,
} as const;
