import { describe, expect, it } from 'vitest';
import {
  authStartUrl,
  finishSignupForm,
  grantForm,
  linkForm,
  permissionKind,
  reauthenticateUrl,
  safeReturnTo,
  withFlowMarker,
  withoutFlowError,
  withParams,
} from './auth-urls';
import { dataciteSearchUrl } from './datacite';
import { formatPercent, formatRelative } from './format';

describe('safeReturnTo', () => {
  it.each([
    ['/settings/claims', '/settings/claims'],
    ['/settings?tab=1', '/settings?tab=1'],
    [null, '/settings'],
    ['', '/settings'],
    ['https://evil.example/', '/settings'],
    ['//evil.example/', '/settings'],
    ['/\\evil.example/', '/settings'],
    ['settings', '/settings'],
  ])('%s → %s', (value, expected) => {
    expect(safeReturnTo(value)).toBe(expected);
  });
});

describe('browser flow URLs', () => {
  it('adds parameters, keeping those already there', () => {
    expect(withParams('/auth/orcid/grant?kind=auto_update', { return_to: '/settings/claims' })).toBe(
      '/auth/orcid/grant?kind=auto_update&return_to=%2Fsettings%2Fclaims',
    );
    expect(withParams('/auth/orcid/start', { return_to: '/settings' })).toBe('/auth/orcid/start?return_to=%2Fsettings');
  });

  it('builds sign-in URLs, plain GET links', () => {
    expect(authStartUrl('orcid', { returnTo: '/settings' })).toBe('/auth/orcid/start?return_to=%2Fsettings');
    expect(authStartUrl('github', { returnTo: '/settings/social' })).toBe('/auth/github/start?return_to=%2Fsettings%2Fsocial');
  });

  it('signs in again with ORCID for a guarded action, coming back to the page', () => {
    expect(reauthenticateUrl('/settings/social?x=1')).toBe(
      '/auth/orcid/start?reauthenticate=true&return_to=%2Fsettings%2Fsocial%3Fx%3D1',
    );
  });

  it('starts grants, links and sign-up confirmations as form posts with hidden fields', () => {
    // Grants and links come back marked with what they were for (?granted=, ?connected=).
    expect(grantForm('auto_update', '/settings/claims')).toEqual({
      action: '/auth/orcid/grant',
      fields: { kind: 'auto_update', return_to: '/settings/claims?granted=auto_update' },
    });
    // After granting as another ORCID iD: ORCID asks for the password again (prompt=login).
    expect(grantForm('search_and_link', '/settings/claims', { freshLogin: true })).toEqual({
      action: '/auth/orcid/grant',
      fields: { kind: 'search_and_link', return_to: '/settings/claims?granted=search_and_link', fresh_login: 'true' },
    });
    expect(linkForm('github', '/settings/social')).toEqual({
      action: '/auth/github/start',
      fields: { intent: 'link', return_to: '/settings/social?connected=github' },
    });
    expect(finishSignupForm('0b6f8a52-1f3e-4c55-9d7e-2a4b6c8d0e1f', '/settings')).toEqual({
      action: '/auth/orcid/start',
      fields: { pending_signup: '0b6f8a52-1f3e-4c55-9d7e-2a4b6c8d0e1f', return_to: '/settings' },
    });
  });
});

describe('back from a browser flow', () => {
  it('drops the ?error= (and grant_wrong_orcid’s kind) from the page to come back to', () => {
    expect(withoutFlowError('/settings/claims', '?error=access_denied')).toBe('/settings/claims');
    expect(withoutFlowError('/settings/claims/list', '?page=2&error=grant_wrong_orcid&kind=auto_update')).toBe(
      '/settings/claims/list?page=2',
    );
    // Another error's page keeps a `kind` of its own.
    expect(withoutFlowError('/settings/x', '?kind=a&error=provider_error')).toBe('/settings/x?kind=a');
    // The marker of the flow that came back goes too: a flow started from here adds its own.
    expect(withoutFlowError('/settings/claims', '?granted=search_and_link&error=grant_wrong_orcid&kind=search_and_link')).toBe(
      '/settings/claims',
    );
    expect(withoutFlowError('/settings/social', '?connected=google')).toBe('/settings/social');
    // And where it began (an ORCID inbox request's "Grant permission").
    expect(withoutFlowError('/settings/claims', '?granted=auto_update&via=inbox&error=access_denied')).toBe(
      '/settings/claims',
    );
  });

  it('marks the page to come back to with what the flow was for, keeping what it already has', () => {
    expect(withFlowMarker('/settings/claims/list', 'granted', 'auto_update')).toBe(
      '/settings/claims/list?granted=auto_update',
    );
    expect(withFlowMarker('/settings/claims/list?page=2', 'granted', 'auto_update')).toBe(
      '/settings/claims/list?page=2&granted=auto_update',
    );
    // Never twice: a page that still has an old marker gets the new one.
    expect(withFlowMarker('/settings/social?connected=github', 'connected', 'google')).toBe(
      '/settings/social?connected=google',
    );
    // Within the server's pattern for return_to: `/settings…` and a query of [A-Za-z0-9._~=&%+,-].
    const pattern = /^$|^\/((settings|admin|sign-in|link-orcid)(\/[A-Za-z0-9._~-]+)*)?(\?[A-Za-z0-9._~=&%+,-]*)?$/;
    expect(grantForm('search_and_link', '/settings/claims/search').fields.return_to).toMatch(pattern);
    expect(linkForm('google', '/settings/social').fields.return_to).toMatch(pattern);
  });

  it('knows the two permission kinds', () => {
    expect(permissionKind('search_and_link')).toBe('search_and_link');
    expect(permissionKind('auto_update')).toBe('auto_update');
    expect(permissionKind('bogus')).toBeNull();
    expect(permissionKind(null)).toBeNull();
  });
});

describe('dataciteSearchUrl', () => {
  it('searches creators and contributors for the bare iD and its URL', () => {
    const url = new URL(dataciteSearchUrl('https://search.datacite.org/', '0000-0002-1825-0097'));
    expect(url.origin + url.pathname).toBe('https://search.datacite.org/doi.org');
    expect(url.searchParams.get('query')).toBe(
      'creators_and_contributors.nameIdentifiers.nameIdentifier:(0000-0002-1825-0097 OR "https://orcid.org/0000-0002-1825-0097")',
    );
  });
});

describe('formatRelative', () => {
  const now = new Date('2025-03-10T12:00:00Z');
  const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
  const MINUTE = 60_000;

  it('says how long ago, in words', () => {
    expect(formatRelative(ago(20_000), now, 'en')).toBe('just now');
    // The server's clock a little ahead of the browser's.
    expect(formatRelative(ago(-5_000), now, 'en')).toBe('just now');
    expect(formatRelative(ago(MINUTE), now, 'en')).toBe('1 minute ago');
    expect(formatRelative(ago(5 * MINUTE), now, 'en')).toBe('5 minutes ago');
    expect(formatRelative(ago(3 * 60 * MINUTE), now, 'en')).toBe('3 hours ago');
    expect(formatRelative(ago(25 * 60 * MINUTE), now, 'en')).toBe('yesterday');
    expect(formatRelative(ago(4 * 24 * 60 * MINUTE), now, 'en')).toBe('4 days ago');
  });

  it('gives the date from 30 days on', () => {
    expect(formatRelative('2025-01-12T10:00:00Z', now, 'en-GB')).toBe('12 Jan 2025');
  });
});

describe('formatPercent', () => {
  it('shows a ratio as a percentage, to a tenth at most', () => {
    expect(formatPercent(0.25).replace(/\s/g, '')).toBe('25%');
    expect(formatPercent(1 / 3).replace(/\s/g, '')).toBe('33.3%');
    expect(formatPercent(0).replace(/\s/g, '')).toBe('0%');
  });
});
