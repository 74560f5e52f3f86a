import type { components } from '../../api/schema';

export type Role = components['schemas']['Role'];

/** DataCite's role names (profiles-behaviour.md §1.3). */
export const ROLE_LABELS: Record<Role, string> = {
  staff_admin: 'Staff Admin',
  staff_user: 'Staff User',
  provider_admin: 'Provider Admin',
  provider_user: 'Provider User',
  client_admin: 'Client Admin',
  client_user: 'Client User',
  user: 'User',
};

/** DataCite staff: they see the Admin section. */
export function isStaff(role: Role): boolean {
  return role === 'staff_admin' || role === 'staff_user';
}

/** The name to show for an account: its name, else given and family names, else the ORCID iD. */
export function displayName(account: {
  name?: string | null;
  given_names?: string | null;
  family_name?: string | null;
  orcid: string;
}): string {
  const parts = [account.given_names, account.family_name].filter(Boolean).join(' ');
  return account.name ?? (parts || account.orcid);
}
