import { screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { App } from '../App';
import { mockApi, sessionExpired } from '../test/api';
import { expectNoAxeViolations } from '../test/axe';
import { account, signedInHandlers, signedOutHandlers } from '../test/fixtures';
import { renderWithProviders } from '../test/render';

// Issue 14, landing page: what Profiles does and how, for a researcher; the service's own health
// is for its operators (/readyz, /metrics, `profiles doctor`), not shown here.

const STEPS = ['Sign in with ORCID', 'Link your other accounts', 'Search & Link', 'Auto-Update'];

describe('landing page', () => {
  it('says what Profiles does and how it works, with "Sign in" for a visitor', async () => {
    const api = mockApi(signedOutHandlers());
    renderWithProviders(<App />);

    expect(screen.getByRole('heading', { level: 1, name: 'Your researcher account' })).toBeInTheDocument();
    const main = screen.getByRole('main');
    expect(main).toHaveTextContent('It adds your DataCite DOIs to your ORCID record as works.');
    expect(await within(main).findByRole('link', { name: 'Sign in' })).toHaveAttribute('href', '/sign-in');
    expect(main).toHaveTextContent('The first time you sign in with ORCID, your account is created.');
    expect(within(main).queryByRole('link', { name: 'Go to your settings' })).not.toBeInTheDocument();

    // How it works: four numbered steps, in order.
    const how = screen.getByRole('region', { name: 'How it works' });
    const steps = within(within(how).getByRole('list')).getAllByRole('listitem');
    expect(steps.map((s) => within(s).getByRole('heading', { level: 3 }).textContent)).toEqual(STEPS);
    expect(steps[0]).toHaveTextContent('Sign in with ORCID, or with Google or GitHub once they are linked to your ORCID iD.');
    expect(steps[2]).toHaveTextContent('add the ones you choose, one by one. Each one becomes a work in your ORCID record.');
    expect(steps[3]).toHaveTextContent('When a new DataCite DOI names your ORCID iD, Auto-Update adds it');
    expect(how).toHaveTextContent('each need your permission. You give it on ORCID when you turn one on in your settings.');

    const control = screen.getByRole('region', { name: 'You stay in control' });
    expect(within(control).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      'Remove any work that DataCite added to your ORCID record.',
      'Revoke a permission at any time, in your settings or on ORCID.',
      'See where you are signed in, and sign out other browsers.',
      'Download your data, or delete your account.',
    ]);

    const developers = screen.getByRole('region', { name: 'For developers' });
    expect(within(developers).getByRole('link', { name: 'API reference' })).toHaveAttribute('href', '/api/docs');

    await expectNoAxeViolations();
    // Nothing about the service's health, and nothing asked for it.
    expect(main).not.toHaveTextContent(/Service status|Jobs queued|Database|Version/);
    expect(api.calls.map((c) => c.path)).not.toContain('/api/v1/status');
  });

  it('offers "Go to your settings" to someone signed in, naming them, and stays on the page', async () => {
    const api = mockApi(signedInHandlers());
    const { user } = renderWithProviders(<App />);

    const main = screen.getByRole('main');
    const settings = await within(main).findByRole('link', { name: 'Go to your settings' });
    expect(settings).toHaveAttribute('href', '/settings');
    expect(main).toHaveTextContent('You are signed in as Josiah Carberry.');
    expect(within(main).queryByRole('link', { name: 'Sign in' })).not.toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 1, name: 'Your researcher account' })).toBeInTheDocument();
    await expectNoAxeViolations();
    expect(api.calls.map((c) => c.path)).not.toContain('/api/v1/status');

    await user.click(settings);
    expect(await screen.findByRole('heading', { level: 1, name: 'Personal settings' })).toBeInTheDocument();
  });

  it('names someone without a name by their ORCID iD', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me': () => account({ name: null, given_names: null, family_name: null }),
    });
    renderWithProviders(<App />);

    expect(await screen.findByText(/^You are signed in as 0000-0002-1825-0097\.$/)).toBeInTheDocument();
  });

  it('shows no call to action until it knows whether the person is signed in', () => {
    // The answer never comes.
    mockApi(signedInHandlers(), { 'GET /api/v1/accounts/me': () => new Promise<never>(() => undefined) });
    renderWithProviders(<App />);

    const main = screen.getByRole('main');
    expect(screen.getByRole('region', { name: 'How it works' })).toBeInTheDocument();
    expect(within(main).queryByRole('link', { name: 'Sign in' })).not.toBeInTheDocument();
    expect(within(main).queryByRole('link', { name: 'Go to your settings' })).not.toBeInTheDocument();
  });

  it('offers "Sign in" after a session ended, without an alert', async () => {
    mockApi(signedInHandlers(), { 'GET /api/v1/accounts/me': () => sessionExpired() });
    renderWithProviders(<App />);

    expect(await within(screen.getByRole('main')).findByRole('link', { name: 'Sign in' })).toHaveAttribute(
      'href',
      '/sign-in',
    );
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('still explains and offers "Sign in" when the server cannot be reached', async () => {
    vi.stubGlobal('fetch', vi.fn(() => Promise.reject(new TypeError('fetch failed'))));
    renderWithProviders(<App />);

    expect(await within(screen.getByRole('main')).findByRole('link', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'How it works' })).toBeInTheDocument();
  });
});
