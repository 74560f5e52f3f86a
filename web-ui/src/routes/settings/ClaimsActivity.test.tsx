import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../../App';
import { mockApi, problem } from '../../test/api';
import { expectNoAxeViolations } from '../../test/axe';
import { activityEntry, activityList, signedInHandlers } from '../../test/fixtures';
import { renderWithProviders } from '../../test/render';

// ORCID claims → Activity: what Profiles did, or tried, in the person's ORCID record, in words.

const ROUTE = '/settings/claims/activity';
const DOI = '10.5555/k4s2-v7q8';
const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString();

/** The three entries of a work added, removed on orcid.org (found by checking the record) and added again. */
const history = () => [
  activityEntry({ id: 9, action: 'added', reason: 'person', put_code: 1002, at: minutesAgo(2) }),
  activityEntry({
    id: 8,
    action: 'removed',
    reason: 'reconcile',
    put_code: 1001,
    message: 'Gone from the ORCID record (removed on orcid.org); Profiles will not add it again unless you do.',
    at: minutesAgo(5),
  }),
  activityEntry({ id: 7, action: 'added', reason: 'search_and_link', put_code: 1001, at: minutesAgo(3 * 60) }),
];

const list = () => screen.findByRole('list', { name: 'Changes in your ORCID record, newest first' });

describe('ORCID claims → Activity', () => {
  it('lists every change newest first, in words, with when, why, the DOI and the put-code', async () => {
    const entries = history();
    mockApi(signedInHandlers(), { 'GET /api/v1/accounts/me/activity': () => activityList(entries) });
    renderWithProviders(<App />, { route: ROUTE });

    expect(await screen.findByRole('heading', { level: 2, name: 'Activity' })).toBeInTheDocument();
    expect(document.title).toBe('Activity · ORCID claims · Profiles');
    const rows = within(await list()).getAllByRole('listitem');
    expect(rows.map((row) => row.querySelector('strong')?.textContent)).toEqual([
      'Added to your ORCID record',
      'Removed on orcid.org — Profiles will not add it again',
      'Added to your ORCID record',
    ]);
    const [again, removed, first] = rows as [HTMLElement, HTMLElement, HTMLElement];
    expect(removed).toHaveTextContent('You can add it again from your list of claims.');
    expect(removed).toHaveTextContent('WhyChecking your ORCID record');
    expect(removed).toHaveTextContent('Put-code1001');
    expect(again).toHaveTextContent('WhyYou');
    expect(first).toHaveTextContent('WhySearch & Link');
    expect(within(first).getByRole('link', { name: DOI })).toHaveAttribute('href', `https://doi.org/${DOI}`);
    // When: how long ago, the exact moment in the <time> and on hover.
    const when = removed.querySelector('time');
    expect(when).toHaveTextContent('5 minutes ago');
    expect(when?.getAttribute('dateTime')).toBe(entries[1]?.at);
    expect(when?.getAttribute('title')).toMatch(/\d{4}/);
    expect(first.querySelector('time')).toHaveTextContent('3 hours ago');
    // Under the ORCID claims section of the menu.
    const menu = screen.getByRole('navigation', { name: 'Settings' });
    expect(within(menu).getByRole('link', { name: 'Activity' })).toHaveAttribute('aria-current', 'page');
    expect(within(menu).getByRole('link', { name: 'ORCID claims' })).toHaveClass('is-open');
    await expectNoAxeViolations();
  });

  it('says what ORCID refused in plain words, as a claim’s row does, never its status line', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/activity': () =>
        activityList([
          activityEntry({
            id: 3,
            action: 'failed',
            put_code: null,
            orcid_status: 400,
            error_code: 'orcid_rejected',
            message: 'ORCID refused the request (HTTP 400): The client application sent a bad request to ORCID.',
          }),
          activityEntry({
            id: 2,
            action: 'failed',
            reason: 'auto_update',
            put_code: null,
            orcid_status: 500,
            error_code: 'orcid_unavailable',
            message: 'ORCID is unavailable: HTTP 500: Internal Server Error Will try again at 2025-03-01 10:05 UTC.',
          }),
          activityEntry({
            id: 1,
            action: 'skipped',
            reason: 'reconcile',
            put_code: null,
            message: 'Already in your ORCID record (added by Josiah Carberry).',
          }),
        ]),
    });
    renderWithProviders(<App />, { route: ROUTE });

    const [refused, retried, elsewhere] = within(await list()).getAllByRole('listitem') as [HTMLElement, HTMLElement, HTMLElement];
    expect(refused).toHaveTextContent('Failed');
    expect(refused).toHaveTextContent('ORCID refused this work: The client application sent a bad request to ORCID.');
    expect(within(refused).getByText(/^ORCID refused this work/)).toHaveClass('text-danger');
    expect(retried).toHaveTextContent('ORCID did not answer. We will try again on our own.');
    expect(retried).toHaveTextContent('WhyAuto-Update');
    expect(elsewhere).toHaveTextContent('Not added twice');
    expect(elsewhere).toHaveTextContent('Already in your ORCID record (added by Josiah Carberry).');
    expect(screen.getByRole('main')).not.toHaveTextContent(/HTTP|\b400\b|\b500\b|orcid_rejected/);
    await expectNoAxeViolations();
  });

  it('filters by action, asking the API for that action only', async () => {
    const api = mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/activity': ({ url }) => {
        const action = url.searchParams.get('action');
        return activityList(history().filter((entry) => !action || entry.action === action));
      },
    });
    const { user } = renderWithProviders(<App />, { route: ROUTE });
    expect(within(await list()).getAllByRole('listitem')).toHaveLength(3);

    await user.selectOptions(screen.getByRole('combobox', { name: 'Show' }), 'Removed');
    await screen.findByText('Removed on orcid.org — Profiles will not add it again');
    expect(within(await list()).getAllByRole('listitem')).toHaveLength(1);
    const calls = api.callsTo('GET', '/api/v1/accounts/me/activity');
    expect(new URLSearchParams(calls[calls.length - 1]?.search).get('action')).toBe('removed');

    await user.selectOptions(screen.getByRole('combobox', { name: 'Show' }), 'Failed');
    expect(await screen.findByText('Nothing of this kind has happened in your ORCID record yet.')).toBeInTheDocument();
    await user.selectOptions(screen.getByRole('combobox', { name: 'Show' }), 'Everything');
    expect(within(await list()).getAllByRole('listitem')).toHaveLength(3);
  });

  it('shows older entries by links.next, after the ones shown', async () => {
    const [newest, ...older] = history();
    const api = mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/activity': ({ url }) =>
        url.searchParams.get('page[before]') === '9'
          ? activityList(older)
          : activityList(newest ? [newest] : [], '/api/v1/accounts/me/activity?page%5Bsize%5D=25&page%5Bbefore%5D=9'),
    });
    const { user } = renderWithProviders(<App />, { route: ROUTE });
    expect(within(await list()).getAllByRole('listitem')).toHaveLength(1);

    await user.click(screen.getByRole('button', { name: 'Show older' }));
    expect(await screen.findByText('Removed on orcid.org — Profiles will not add it again')).toBeInTheDocument();
    expect(within(await list()).getAllByRole('listitem')).toHaveLength(3);
    expect(screen.queryByRole('button', { name: 'Show older' })).not.toBeInTheDocument();
    const calls = api.callsTo('GET', '/api/v1/accounts/me/activity');
    expect(calls.map((call) => new URLSearchParams(call.search).get('page[before]'))).toEqual([null, '9']);
    await expectNoAxeViolations();
  });

  it('explains what will be listed while there is nothing yet', async () => {
    mockApi(signedInHandlers());
    renderWithProviders(<App />, { route: ROUTE });

    expect(await screen.findByText('Nothing yet.')).toBeInTheDocument();
    expect(screen.getByText(/Each time Profiles adds a work to your ORCID record, updates or removes one, or cannot/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Show older' })).not.toBeInTheDocument();
    // Nothing to filter yet.
    expect(screen.queryByRole('combobox', { name: 'Show' })).not.toBeInTheDocument();
    await expectNoAxeViolations();
  });

  it('says so in words when the activity cannot be loaded, with Try again', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/activity': () => new Response('<html>Bad Gateway</html>', { status: 502 }),
    });
    renderWithProviders(<App />, { route: ROUTE });

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(
      'Could not load the activity in your ORCID record. The service is not answering as it should. Please try again in a moment.',
    );
    expect(within(alert).getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });

  it('passes the API’s refusal on in its words', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/activity': () => problem(403, 'forbidden', 'This API token lacks the claims:read scope.'),
    });
    renderWithProviders(<App />, { route: ROUTE });

    expect(await screen.findByRole('alert')).toHaveTextContent('This API token lacks the claims:read scope.');
  });
});
