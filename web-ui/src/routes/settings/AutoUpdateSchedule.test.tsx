import { screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../App';
import { mockApi, problem } from '../../test/api';
import { expectNoAxeViolations } from '../../test/axe';
import { autoUpdateStatus, signedInHandlers } from '../../test/fixtures';
import { renderWithProviders } from '../../test/render';

// Issue 14, item 7: the Auto-Update box on the ORCID claims overview says what happens and when.

/** The reader's clock time, as the page writes it. */
const clock = (iso: string) => new Intl.DateTimeFormat(undefined, { timeStyle: 'short' }).format(new Date(iso));

describe('settings: ORCID claims, Auto-Update’s schedule', () => {
  beforeEach(() => {
    // Only the date: timers stay real for the page's queries. Two minutes after the last check.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2025-03-02T14:04:00Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('says how often DataCite is asked, when it last was and what it found, and when next', async () => {
    mockApi(signedInHandlers());
    renderWithProviders(<App />, { route: '/settings/claims' });

    const box = await screen.findByRole('region', { name: 'Auto-Update' });
    expect(
      await within(box).findByText(
        `Auto-Update checks DataCite for new DOIs naming you every 15 minutes. Last checked ${clock('2025-03-02T14:02:00Z')} (found 3 new DOIs with ORCID iDs); next check around ${clock('2025-03-02T14:17:00Z')}.`,
      ),
    ).toBeInTheDocument();
    // Only in the Auto-Update box.
    expect(within(screen.getByRole('region', { name: 'Search & Link' })).queryByText(/checks DataCite/)).toBeNull();
    await expectNoAxeViolations();
  });

  it('before the first check, says it runs within the interval', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/auto-update/status': () =>
        autoUpdateStatus({ last_checked_at: null, last_dois: null, last_claims_created: null, next_check_at: null }),
    });
    renderWithProviders(<App />, { route: '/settings/claims' });

    const box = await screen.findByRole('region', { name: 'Auto-Update' });
    expect(
      await within(box).findByText(
        'Auto-Update checks DataCite for new DOIs naming you every 15 minutes. The first check runs within 15 minutes.',
      ),
    ).toBeInTheDocument();
  });

  it('without polling, says DOI registrations are taken as they happen', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/auto-update/status': () => autoUpdateStatus({ every_secs: null, next_check_at: null }),
    });
    renderWithProviders(<App />, { route: '/settings/claims' });

    const box = await screen.findByRole('region', { name: 'Auto-Update' });
    expect(
      await within(box).findByText('This service takes DOI registrations from DataCite as they happen.'),
    ).toBeInTheDocument();
    expect(within(box).queryByText(/every|Last checked/)).toBeNull();
  });

  it('leaves the sentence out when the schedule cannot be loaded; the box still works', async () => {
    const api = mockApi(signedInHandlers(), {
      'GET /api/v1/auto-update/status': () => problem(503, 'service_unavailable', 'Try again shortly.'),
    });
    renderWithProviders(<App />, { route: '/settings/claims' });

    const box = await screen.findByRole('region', { name: 'Auto-Update' });
    expect(await within(box).findByRole('button', { name: 'Enable Auto-Update' })).toBeInTheDocument();
    await vi.waitFor(() => {
      expect(api.callsTo('GET', '/api/v1/auto-update/status').length).toBeGreaterThan(0);
    });
    expect(within(box).queryByText(/DataCite for new DOIs|as they happen/)).toBeNull();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});
