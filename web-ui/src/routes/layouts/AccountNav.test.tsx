import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../../App';
import { mockApi } from '../../test/api';
import { account, ORCID, providersResponse, signedInHandlers } from '../../test/fixtures';
import { renderWithProviders } from '../../test/render';

// Issue 14, minor: the menu's "ORCID record" and "Your DOIs in DataCite Search" go to the sites the
// service is set up with (the account's `orcid_url`, `datacite_search_url` from
// GET /api/v1/auth/providers), not to the live orcid.org and commons.datacite.org.

const ORCID_SITE = 'http://127.0.0.1:9401';
const SEARCH_SITE = 'http://127.0.0.1:9405';

async function openMenu(handlers: Parameters<typeof mockApi>[1]) {
  mockApi(signedInHandlers(), handlers);
  const { user } = renderWithProviders(<App />, { route: '/settings' });
  const banner = screen.getByRole('banner');
  await user.click(await within(banner).findByRole('button', { name: 'Josiah Carberry' }));
  return banner;
}

describe('user menu: links to the configured ORCID and DataCite sites', () => {
  it('links the ORCID record and DataCite Search of a service set up with stand-ins to them', async () => {
    const banner = await openMenu({
      'GET /api/v1/auth/providers': () => providersResponse({ orcid_url: ORCID_SITE, datacite_search_url: SEARCH_SITE }),
      'GET /api/v1/accounts/me': () => account({ orcid_url: `${ORCID_SITE}/${ORCID}` }),
    });

    expect(within(banner).getByRole('link', { name: 'ORCID record' })).toHaveAttribute('href', `${ORCID_SITE}/${ORCID}`);
    const search = await within(banner).findByRole('link', { name: 'Your DOIs in DataCite Search' });
    const url = new URL(search.getAttribute('href') ?? '');
    expect(`${url.origin}${url.pathname}`).toBe(`${SEARCH_SITE}/doi.org`);
    expect(url.searchParams.get('query')).toContain(ORCID);
    for (const link of within(banner).getAllByRole('link')) {
      expect(link.getAttribute('href')).not.toMatch(/^https:\/\/(orcid\.org|commons\.datacite\.org)/);
    }
  });

  it('leaves DataCite Search out until the service has said where it is', async () => {
    const banner = await openMenu({
      'GET /api/v1/auth/providers': () => new Promise<never>(() => undefined),
    });

    expect(within(banner).getByRole('link', { name: 'ORCID record' })).toHaveAttribute('href', `https://orcid.org/${ORCID}`);
    expect(within(banner).queryByRole('link', { name: 'Your DOIs in DataCite Search' })).not.toBeInTheDocument();
  });
});
