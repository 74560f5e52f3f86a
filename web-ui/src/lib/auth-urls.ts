import type { components } from '../api/schema';

export type Provider = components['schemas']['Provider'];
export type PermissionKind = components['schemas']['PermissionKind'];

/** Provider names for when the server's list does not have them (a linked but disabled provider). */
export const PROVIDER_NAMES: Record<Provider, string> = {
  orcid: 'ORCID',
  google: 'Google',
  github: 'GitHub',
};

/** The two ORCID permissions by name, as their boxes on the ORCID claims page call them. */
export const PERMISSION_TITLES: Record<PermissionKind, string> = {
  search_and_link: 'Search & Link',
  auto_update: 'Auto-Update',
};

/** `kind` if it names an ORCID permission (e.g. from a `?kind=` the server added), else null. */
export function permissionKind(value: string | null | undefined): PermissionKind | null {
  return value === 'search_and_link' || value === 'auto_update' ? value : null;
}

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
 * `/auth/orcid/start?reauthenticate=true`, keeping the parameters it already has.
 */
export function withParams(url: string, params: Record<string, string>): string {
  const [path = '', query = ''] = url.split('?', 2);
  const search = new URLSearchParams(query);
  for (const [key, value] of Object.entries(params)) search.set(key, value);
  return `${path}?${search.toString()}`;
}

/** Where a "Sign in with …" link points: the server's sign-in flow (a plain GET navigation). */
export function authStartUrl(provider: Provider, { returnTo }: { returnTo: string }): string {
  return withParams(`/auth/${provider}/start`, { return_to: returnTo });
}

/**
 * Where "Sign in again" points after a 401 `reauthentication_required`: a fresh ORCID sign-in (the
 * provider asks for the password whatever session it has), then back to `returnTo` to repeat the
 * action.
 */
export function reauthenticateUrl(returnTo: string): string {
  return withParams('/auth/orcid/start', { reauthenticate: 'true', return_to: returnTo });
}

/**
 * A browser flow that changes the signed-in account starts with a same-origin form post, never a
 * link: the server refuses such a start when another site began it, and a form post carries the
 * `Origin` that proves it came from our own page. `fields` are the hidden inputs.
 */
export interface FlowForm {
  action: string;
  fields: Record<string, string>;
}

/**
 * What a flow that changes the account adds to the `return_to` it sends, to be told on its way
 * back what it was for: `?connected=google` after "Connect Google", `?granted=search_and_link`
 * after "Enable Search & Link". The page it comes back to says it worked only if the account then
 * shows it (the identity linked, the permission active), and takes the marker out of the address.
 * The server passes `return_to` on as it is (its pattern allows a query) and adds `&error=…` when
 * the provider refused, in which case nothing is said to have worked.
 */
export const FLOW_MARKERS = { connected: 'connected', granted: 'granted' } as const;

export type FlowMarker = keyof typeof FLOW_MARKERS;

/**
 * Beside a marker, where the flow began when it was not on one of our pages: `via=inbox` after
 * "Grant permission" in a permission request in the person's ORCID inbox (the server lands them on
 * `/settings/claims?granted=auto_update&via=inbox`, often with an account made just then). It is
 * read and taken out of the address with the marker.
 */
export const FLOW_VIA = 'via';

/** `via=inbox`: the grant came from "Grant permission" in an ORCID inbox notification. */
export const VIA_INBOX = 'inbox';

/** `returnTo` with `marker=value` in its query (replacing any earlier one), the rest kept. */
export function withFlowMarker(returnTo: string, marker: FlowMarker, value: string): string {
  return withParams(returnTo, { [FLOW_MARKERS[marker]]: value });
}

/**
 * "Enable Search & Link" / "Enable Auto-Update": `POST /auth/orcid/grant`, coming back to
 * `returnTo` with `?granted=<kind>`. With `freshLogin` (`fresh_login=true`) ORCID asks for the
 * password again whatever orcid.org session the browser has (`prompt=login`): to grant as this
 * account's iD after granting as another one.
 */
export function grantForm(kind: PermissionKind, returnTo: string, { freshLogin = false } = {}): FlowForm {
  const fields: Record<string, string> = { kind, return_to: withFlowMarker(returnTo, 'granted', kind) };
  if (freshLogin) fields.fresh_login = 'true';
  return { action: '/auth/orcid/grant', fields };
}

/**
 * "Connect Google" / "Connect GitHub" to the signed-in account: `POST /auth/{provider}/start`,
 * `intent=link`, coming back to `returnTo` with `?connected=<provider>`.
 */
export function linkForm(provider: Exclude<Provider, 'orcid'>, returnTo: string): FlowForm {
  return {
    action: `/auth/${provider}/start`,
    fields: { intent: 'link', return_to: withFlowMarker(returnTo, 'connected', provider) },
  };
}

/** The longest `back` the server's sign-out form takes (`SignOutForm.back`, maxLength). */
const SIGN_OUT_BACK_MAX = 2000;

/**
 * "Sign out" on `/sign-out`, where a link from another site to `GET /sign_out` leads: `POST
 * /sign_out` from our own page (the server refuses it from anywhere else), with the `back` the
 * server put in the address. The server checks `back` again (one of our pages, or DataCite's) and
 * goes to `/` otherwise; one longer than it takes is left out, for `/`.
 */
export function signOutForm(back: string | null | undefined): FlowForm {
  const fields: Record<string, string> = {};
  if (back && back.length <= SIGN_OUT_BACK_MAX) fields.back = back;
  return { action: '/sign_out', fields };
}

/**
 * Finishing a Google/GitHub sign-up with ORCID: `POST /auth/orcid/start` naming the pending sign-up
 * (its `id`), which is the person's confirmation that this identity is theirs.
 */
export function finishSignupForm(pendingSignupId: string, returnTo: string): FlowForm {
  return { action: '/auth/orcid/start', fields: { pending_signup: pendingSignupId, return_to: returnTo } };
}

/**
 * The sign-in page, coming back to `returnTo` afterwards (its `return_to`), and saying why the
 * person is there when a sign-in flow came back with `error` (`access_denied`, `provider_error`).
 */
export function signInPath(returnTo?: string, error?: string): string {
  const search = new URLSearchParams();
  if (error) search.set('error', error);
  if (returnTo) search.set('return_to', returnTo);
  const query = search.toString();
  return query ? `/sign-in?${query}` : '/sign-in';
}

/**
 * `?error=grant_wrong_orcid&kind=…`: a grant came back from ORCID signed in as another ORCID iD
 * than the account's, so nothing was enabled (`kind` names the permission).
 */
export const GRANT_WRONG_ORCID = 'grant_wrong_orcid';

/**
 * `pathname` + `search` without the `?error=` a browser flow added on its way back (and the
 * `kind` that comes with `grant_wrong_orcid`), nor the flow's own marker (`?connected=`,
 * `?granted=`, and the `via=` beside it): a flow started from here adds its own.
 */
export function withoutFlowError(pathname: string, search: string): string {
  const params = new URLSearchParams(search);
  if (params.get('error') === GRANT_WRONG_ORCID) params.delete('kind');
  params.delete('error');
  for (const marker of Object.values(FLOW_MARKERS)) params.delete(marker);
  params.delete(FLOW_VIA);
  const rest = params.toString();
  return rest ? `${pathname}?${rest}` : pathname;
}

/** What `FlowErrorNotice` says for each `?error=` code, and for any other. */
export interface FlowErrorMessages {
  byCode: Record<string, string>;
  unknown: string;
}

/** `?error=` on pages a signed-in person's flow returns to (connecting an account, a grant). */
export const FLOW_ERROR_MESSAGES: FlowErrorMessages = {
  byCode: {
    access_denied: 'Access was not granted at the provider, so nothing was changed. You can try again.',
    provider_error: 'The provider could not complete the request, so nothing was changed. Please try again.',
    // FlowErrorNotice says more, with a button to grant again (see GRANT_WRONG_ORCID).
    [GRANT_WRONG_ORCID]:
      'You granted access while signed in to orcid.org as another ORCID iD, so nothing was enabled. Sign in to ORCID again with the iD of this account and grant access.',
  },
  unknown: 'Something went wrong at the provider, so nothing was changed. Please try again.',
};

/** `?error=` on the sign-in page: the person cancelled at the provider, or it failed there. */
export const SIGN_IN_ERROR_MESSAGES: FlowErrorMessages = {
  byCode: {
    access_denied: 'Sign-in was cancelled. You are not signed in; choose a way to sign in to try again.',
    provider_error: 'The provider could not complete the sign-in, so you are not signed in. Please try again.',
  },
  unknown: 'Something went wrong at the provider, so you are not signed in. Please try again.',
};

/** `?error=` on /link-orcid: confirming with ORCID was cancelled or failed; the sign-up still waits. */
export const LINK_ORCID_ERROR_MESSAGES: FlowErrorMessages = {
  byCode: {
    access_denied: 'Signing in with ORCID was cancelled, so nothing was linked yet. You can confirm again below.',
    provider_error: 'ORCID could not complete the sign-in, so nothing was linked yet. Please try again below.',
  },
  unknown: 'Something went wrong at ORCID, so nothing was linked yet. Please try again below.',
};
