import { screen, waitFor, within } from '@testing-library/react';
import { useLocation } from 'react-router-dom';
import { describe, expect, it } from 'vitest';
import { App } from '../../App';
import { mockApi } from '../../test/api';
import { expectNoAxeViolations } from '../../test/axe';
import { account, signedInHandlers } from '../../test/fixtures';
import { renderWithProviders } from '../../test/render';
import { movedAnchor } from './settings-paths';

// The settings menu: four sections at most, with "Your account" holding its pages (Active
// sessions, Apps with access, API tokens, Your data) nested under it, each a page of its own, and "ORCID claims" its
// own (Search & Link, Auto-Update, All claims, Activity).

/** Where the app is, for the tests to read. */
function WhereAmI() {
  const { pathname, search, hash } = useLocation();
  return <output aria-label="Location">{pathname + search + hash}</output>;
}

const menu = () => screen.findByRole('navigation', { name: 'Settings' });

/** The top-level entries of the menu, by their links' names. */
function sections(nav: HTMLElement): string[] {
  const outer = within(nav).getAllByRole('list')[0];
  if (!outer) throw new Error('the menu has no list');
  return Array.from(outer.children, (li) => li.querySelector('a')?.textContent ?? '');
}

describe('settings menu: Your account and its pages', () => {
  it('has four sections at most, with Active sessions, Apps with access, API tokens and Your data nested under Your account', async () => {
    mockApi(signedInHandlers(), { 'GET /api/v1/accounts/me': () => account({ role: 'staff_admin' }) });
    renderWithProviders(<App />, { route: '/settings' });

    const nav = await menu();
    expect(sections(nav)).toEqual(['Your account', 'Social login', 'ORCID claims', 'Admin']);
    const yourAccount = within(nav).getByRole('link', { name: 'Your account' });
    const nested = within(yourAccount.closest('li') ?? nav).getByRole('list');
    expect(within(nested).getAllByRole('link').map((a) => [a.textContent, a.getAttribute('href')])).toEqual([
      ['Active sessions', '/settings/sessions'],
      ['Apps with access', '/settings/apps'],
      ['API tokens', '/settings/tokens'],
      ['Your data', '/settings/data'],
    ]);
    expect(yourAccount).toHaveAttribute('aria-current', 'page');
    await expectNoAxeViolations();
  });

  it('keeps the account page to the profile: sessions, tokens and data are on their own pages', async () => {
    mockApi(signedInHandlers());
    renderWithProviders(<App />, { route: '/settings' });

    expect(await screen.findByRole('region', { name: 'Your account' })).toBeInTheDocument();
    expect(document.title).toBe('Your account · Profiles');
    for (const name of ['Active sessions', 'Apps with access', 'API tokens', 'Your data']) {
      expect(screen.queryByRole('region', { name })).not.toBeInTheDocument();
    }
  });

  it.each([
    ['Active sessions', '/settings/sessions', 'Active sessions · Your account · Profiles'],
    ['Apps with access', '/settings/apps', 'Apps with access · Your account · Profiles'],
    ['API tokens', '/settings/tokens', 'API tokens · Your account · Profiles'],
    ['Your data', '/settings/data', 'Your data · Your account · Profiles'],
  ])('opens %s as its own page, with its title and heading, marked in the menu', async (name, path, title) => {
    mockApi(signedInHandlers());
    const { user } = renderWithProviders(
      <>
        <App />
        <WhereAmI />
      </>,
      { route: '/settings' },
    );
    const nav = await menu();

    await user.click(within(nav).getByRole('link', { name }));

    expect(screen.getByRole('status', { name: 'Location' })).toHaveTextContent(path);
    expect(await screen.findByRole('heading', { level: 2, name })).toBeInTheDocument();
    expect(screen.getAllByRole('heading', { level: 2 })).toHaveLength(1);
    expect(document.title).toBe(title);
    expect(within(nav).getByRole('link', { name })).toHaveAttribute('aria-current', 'page');
    // Only the page shown is current; its section is marked as open, but is not the page.
    expect(within(nav).getByRole('link', { name: 'Your account' })).not.toHaveAttribute('aria-current');
    expect(within(nav).getByRole('link', { name: 'Your account' })).toHaveClass('is-open');
    expect(within(nav).getAllByRole('link').filter((a) => a.hasAttribute('aria-current'))).toHaveLength(1);
    expect(screen.queryByRole('region', { name: 'Your account' })).not.toBeInTheDocument();
    // Focus moves to the new page, as after a page load.
    expect(screen.getByRole('main')).toHaveFocus();
    await expectNoAxeViolations();
  });

  it('nests Search & Link, Auto-Update, All claims and Activity under ORCID claims', async () => {
    mockApi(signedInHandlers());
    renderWithProviders(<App />, { route: '/settings/claims' });

    const nav = await menu();
    expect(sections(nav)).toEqual(['Your account', 'Social login', 'ORCID claims']);
    const claims = within(nav).getByRole('link', { name: 'ORCID claims' });
    const nested = within(claims.closest('li') ?? nav).getByRole('list');
    expect(within(nested).getAllByRole('link').map((a) => [a.textContent, a.getAttribute('href')])).toEqual([
      ['Search & Link', '/settings/claims/search'],
      ['Auto-Update', '/settings/claims/auto-update'],
      ['All claims', '/settings/claims/list'],
      ['Activity', '/settings/claims/activity'],
    ]);
    // The overview is the page shown, and only it.
    expect(claims).toHaveAttribute('aria-current', 'page');
    expect(within(nav).getAllByRole('link').filter((a) => a.hasAttribute('aria-current'))).toHaveLength(1);
    await expectNoAxeViolations();
  });

  it.each([
    ['Search & Link', '/settings/claims/search', 'Search & Link · ORCID claims · Profiles'],
    ['Auto-Update', '/settings/claims/auto-update', 'Auto-Update · ORCID claims · Profiles'],
    ['All claims', '/settings/claims/list', 'All claims · ORCID claims · Profiles'],
    ['Activity', '/settings/claims/activity', 'Activity · ORCID claims · Profiles'],
  ])('opens the claims page %s from the menu, marked there, its section open', async (name, path, title) => {
    mockApi(signedInHandlers());
    const { user } = renderWithProviders(
      <>
        <App />
        <WhereAmI />
      </>,
      { route: '/settings/claims' },
    );
    const nav = await menu();

    await user.click(within(nav).getByRole('link', { name }));

    expect(screen.getByRole('status', { name: 'Location' })).toHaveTextContent(path);
    expect(await screen.findByRole('heading', { level: 2, name })).toBeInTheDocument();
    expect(document.title).toBe(title);
    expect(within(nav).getByRole('link', { name })).toHaveAttribute('aria-current', 'page');
    expect(within(nav).getByRole('link', { name: 'ORCID claims' })).not.toHaveAttribute('aria-current');
    expect(within(nav).getByRole('link', { name: 'ORCID claims' })).toHaveClass('is-open');
    expect(within(nav).getByRole('link', { name: 'Your account' })).not.toHaveClass('is-open');
    expect(within(nav).getAllByRole('link').filter((a) => a.hasAttribute('aria-current'))).toHaveLength(1);
    expect(screen.getByRole('main')).toHaveFocus();
    await expectNoAxeViolations();
  });

  it('does not mark Your account as open on the other sections', async () => {
    mockApi(signedInHandlers());
    renderWithProviders(<App />, { route: '/settings/social' });

    const nav = await menu();
    expect(within(nav).getByRole('link', { name: 'Social login' })).toHaveAttribute('aria-current', 'page');
    expect(within(nav).getByRole('link', { name: 'Your account' })).not.toHaveClass('is-open');
  });
});

describe('links to the old one-page Your account', () => {
  it.each([
    ['#sessions-heading', '/settings/sessions', 'Active sessions'],
    ['#api-tokens-heading', '/settings/tokens', 'API tokens'],
    ['#your-data-heading', '/settings/data', 'Your data'],
    ['#api-tokens', '/settings/tokens', 'API tokens'],
  ])('/settings%s goes on to %s', async (hash, path, heading) => {
    mockApi(signedInHandlers());
    renderWithProviders(
      <>
        <App />
        <WhereAmI />
      </>,
      { route: `/settings${hash}` },
    );

    expect(await screen.findByRole('heading', { level: 2, name: heading })).toBeInTheDocument();
    await waitFor(() => {
      expect(screen.getByRole('status', { name: 'Location' })).toHaveTextContent(new RegExp(`^${path}$`));
    });
  });

  it('stays on Your account for any other anchor', async () => {
    mockApi(signedInHandlers());
    renderWithProviders(<App />, { route: '/settings#your-account-heading' });

    expect(await screen.findByRole('region', { name: 'Your account' })).toBeInTheDocument();
  });

  it('knows where every box went', () => {
    expect(movedAnchor('#sessions')).toBe('/settings/sessions');
    expect(movedAnchor('#API-TOKENS-HEADING')).toBe('/settings/tokens');
    expect(movedAnchor('#delete-account')).toBe('/settings/data');
    expect(movedAnchor('')).toBeNull();
    expect(movedAnchor('#your-account-heading')).toBeNull();
  });
});
