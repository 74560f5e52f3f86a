import type { components } from '../api/schema';

export type Provider = components['schemas']['Provider'];
export type PermissionKind = components['schemas']['PermissionKind'];

/** Provider names for when the server's list does not have them (a linked but disabled provider). */
export const PROVIDER_NAMES: Record<Provider, string> = {
  orcid: 'ORCID',
  google: 'Google',
  github: 'GitHub',
};

/** ORCID first, as on DataCite's pages. */
export const PROVIDER_ORDER: readonly Provider[] = ['orcid', 'google', 'github'];

/**
 * A same-origin path to come back to after a browser flow, or `fallback`. Refuses absolute and
 * protocol-relative URLs (`//evil.example`), which the server would refuse too.
 */
export function safeReturnTo(value: string | null | undefined, fallback = '/settings'): string {
  if (!value?.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return fallback;
  return value;
}

/**
 * Adds `params` to a server-relative URL such as `/auth/orcid/start` or
 * `/auth/orcid/grant?kind=auto_update`, keeping the parameters it already has.
 */
export function withParams(url: string, params: Record<string, string>): string {
  const [path = '', query = ''] = url.split('?', 2);
  const search = new URLSearchParams(query);
  for (const [key, value] of Object.entries(params)) search.set(key, value);
  return `${path}?${search.toString()}`;
}

/** Where a "Sign in with …" or "Connect …" link points: the server's browser flow. */
export function authStartUrl(
  provider: Provider,
  { returnTo, intent }: { returnTo: string; intent?: 'link' },
): string {
  return withParams(`/auth/${provider}/start`, intent ? { intent, return_to: returnTo } : { return_to: returnTo });
}

/** Messages for `?error=` on pages a browser flow returns to. */
export const FLOW_ERROR_MESSAGES: Record<string, string> = {
  access_denied: 'Access was not granted at the provider, so nothing was changed. You can try again.',
  provider_error: 'The provider could not complete the request, so nothing was changed. Please try again.',
};

export const UNKNOWN_FLOW_ERROR = 'Something went wrong at the provider, so nothing was changed. Please try again.';
