import { describe, expect, it } from 'vitest';
import { authStartUrl, safeReturnTo, withParams } from './auth-urls';
import { dataciteSearchUrl } from './datacite';

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

  it('builds sign-in and link URLs', () => {
    expect(authStartUrl('orcid', { returnTo: '/settings' })).toBe('/auth/orcid/start?return_to=%2Fsettings');
    expect(authStartUrl('github', { intent: 'link', returnTo: '/settings/social' })).toBe(
      '/auth/github/start?intent=link&return_to=%2Fsettings%2Fsocial',
    );
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
