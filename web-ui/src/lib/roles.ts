import type { components } from '../api/schema';

export type Role = components['schemas']['Role'];

/** DataCite's role names. */
export const ROLE_LABELS: Record<Role, string> = {
  staff_admin: 'Staff Admin',
  staff_user: 'Staff User',
  provider_admin: 'Provider Admin',
  provider_user: 'Provider User',
  client_admin: 'Client Admin',
  client_user: 'Client User',
  user: 'User',
};

/** DataCite staff: they read every account's claims and the audit log. */
export function isStaff(role: Role): boolean {
  return role === 'staff_admin' || role === 'staff_user';
}

/**
 * Every role but `user` has an administration area (the API's rule): staff see every account,
 * provider and client roles the accounts that carry their provider or client id.
 */
export function hasAdminArea(role: Role): boolean {
  return role !== 'user';
}

/** Staff admins change roles and flags, and requeue, ignore and retry anyone's claims. */
export function isStaffAdmin(role: Role): boolean {
  return role === 'staff_admin';
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
