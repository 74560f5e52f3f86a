import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../../App';
import { accepted, mockApi, problem } from '../../test/api';
import { expectNoAxeViolations } from '../../test/axe';
import { expectFlowPost } from '../../test/flows';
import { account, claim, claimList, signedInHandlers, work, workList } from '../../test/fixtures';
import { renderWithProviders } from '../../test/render';

// "Check my ORCID record" on the ORCID claims pages, and what a claim removed on orcid.org says and
// offers on the list of claims and the Search & Link page.

const REMOVED_REASON = 'You removed this from your ORCID record on 2025-03-01.';
const report = {
  checked_at: '2025-03-01T10:00:00Z',
  works_in_record: 12,
  removed_in_orcid: 1,
  already_in_record: 1,
  adopted: 0,
};
const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString();

const region = (name: string) => screen.findByRole('region', { name });

async function row(regionName: string, text: string): Promise<HTMLElement> {
  const item = (await within(await region(regionName)).findByText(text)).closest('li');
  if (!item) throw new Error(`No list item holds ${text}`);
  return item;
}

const inRecord = () => claim({ id: 'c-1', doi: '10.5555/gone', title: 'Glacier melt', state: 'done' });
const removedOnOrcid = () =>
  claim({
    id: 'c-1',
    doi: '10.5555/gone',
    title: 'Glacier melt',
    state: 'removed_in_orcid',
    put_code: null,
    skip_reason: REMOVED_REASON,
  });

describe('Check my ORCID record', () => {
  it('says when the record was last read, or that it never was', async () => {
    mockApi(signedInHandlers(), { 'GET /api/v1/accounts/me': () => account({ orcid_checked_at: minutesAgo(5) }) });
    renderWithProviders(<App />, { route: '/settings/claims' });

    const box = await region('Your ORCID record');
    expect(box).toHaveTextContent('Last checked 5 minutes ago.');
    expect(within(box).getByRole('button', { name: 'Check my ORCID record' })).toBeInTheDocument();
    await expectNoAxeViolations();
  });

  it('says "Not checked yet." before the first reading', async () => {
    mockApi(signedInHandlers(), { 'GET /api/v1/accounts/me': () => account({ orcid_checked_at: null }) });
    renderWithProviders(<App />, { route: '/settings/claims/list' });

    expect(await region('Your ORCID record')).toHaveTextContent('Not checked yet.');
  });

  it('reads the record, says what it found in a polite live region, and the rows follow', async () => {
    let checked = false;
    const api = mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me': () => account({ orcid_checked_at: checked ? minutesAgo(0) : minutesAgo(60 * 26) }),
      'GET /api/v1/claims': () => claimList([checked ? removedOnOrcid() : inRecord()]),
      'POST /api/v1/accounts/me/orcid-record/check': () => {
        checked = true;
        return report;
      },
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/claims/list' });
    const box = await region('Your ORCID record');
    expect(box).toHaveTextContent('Last checked yesterday.');
    expect(await row('Your claims', 'Glacier melt')).toHaveTextContent('In your ORCID record');

    await user.click(within(box).getByRole('button', { name: 'Check my ORCID record' }));

    const summary = within(box).getByRole('status');
    expect(await within(box).findByText(/^Your ORCID record holds/)).toBe(summary);
    expect(summary).toHaveTextContent(
      'Your ORCID record holds 12 works. 1 you removed on orcid.org is marked so; 1 already there from another source was not added twice.',
    );
    expect(summary).not.toHaveAttribute('aria-live', 'assertive');
    expect(api.callsTo('POST', '/api/v1/accounts/me/orcid-record/check')).toHaveLength(1);
    // The claims were fetched again: the row shows the work as removed on orcid.org.
    const gone = await row('Your claims', 'Glacier melt');
    expect(await within(gone).findByText('Removed on orcid.org')).toHaveClass('pill', 'pill--neutral');
    expect(gone).toHaveTextContent(REMOVED_REASON);
    expect(within(gone).getByRole('button', { name: 'Add again' })).toBeInTheDocument();
    await waitFor(() => {
      expect(box).toHaveTextContent('Last checked just now.');
    });
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    await expectNoAxeViolations();
  });

  it('offers to enable Search & Link when there is no permission to read the record with (409)', async () => {
    mockApi(signedInHandlers(), {
      'POST /api/v1/accounts/me/orcid-record/check': () =>
        problem(
          409,
          'record_unreadable',
          'Profiles has no ORCID permission to read your record with. Enable Search & Link or Auto-Update first.',
        ),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/claims' });
    const box = await region('Your ORCID record');

    await user.click(within(box).getByRole('button', { name: 'Check my ORCID record' }));

    const alert = await within(box).findByRole('alert');
    expect(alert).toHaveTextContent(
      'Profiles can read your ORCID record only with your permission. Enable Search & Link (or Auto-Update), then check again.',
    );
    expectFlowPost(within(alert).getByRole('button', { name: 'Enable Search & Link' }), '/auth/orcid/grant', {
      kind: 'search_and_link',
      return_to: '/settings/claims?granted=search_and_link',
    });
    expect(within(box).getByRole('status', { hidden: true })).toBeEmptyDOMElement();
    await expectNoAxeViolations();
  });

  it('says ORCID did not answer and nothing changed (502), and the button works again', async () => {
    const api = mockApi(signedInHandlers(), {
      'POST /api/v1/accounts/me/orcid-record/check': () =>
        problem(
          502,
          'provider_unavailable',
          'ORCID did not answer, so your record could not be read. Nothing was changed; please try again later.',
        ),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/claims/list' });
    const box = await region('Your ORCID record');
    const claimsBefore = api.callsTo('GET', '/api/v1/claims').length;

    await user.click(within(box).getByRole('button', { name: 'Check my ORCID record' }));

    expect(await within(box).findByRole('alert')).toHaveTextContent(
      'ORCID did not answer, so your record could not be read. Nothing was changed. Try again later.',
    );
    expect(within(box).getByRole('button', { name: 'Check my ORCID record' })).toBeEnabled();
    expect(api.callsTo('GET', '/api/v1/claims')).toHaveLength(claimsBefore);
  });

  it('puts any other refusal in the API’s words', async () => {
    mockApi(signedInHandlers(), {
      'POST /api/v1/accounts/me/orcid-record/check': () => new Response(null, { status: 500 }),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/claims' });
    const box = await region('Your ORCID record');

    await user.click(within(box).getByRole('button', { name: 'Check my ORCID record' }));

    expect(await within(box).findByRole('alert')).toHaveTextContent(
      'Could not check your ORCID record. The service is not answering as it should. Please try again in a moment.',
    );
  });
});

describe('a work removed on orcid.org', () => {
  it('reads "Removed on orcid.org" on the list, with the day and Add again, which adds it again', async () => {
    const api = mockApi(signedInHandlers(), {
      'GET /api/v1/claims': () => claimList([removedOnOrcid()]),
      'POST /api/v1/claims': () => accepted({ ...removedOnOrcid(), state: 'waiting', skip_reason: null }),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/claims/list' });

    const gone = await row('Your claims', 'Glacier melt');
    expect(within(gone).getByText('Removed on orcid.org')).toHaveClass('pill', 'pill--neutral');
    expect(within(gone).getByText(REMOVED_REASON)).toHaveClass('muted');
    expect(within(gone).getAllByRole('button').map((b) => b.textContent)).toEqual(['Add again']);
    await expectNoAxeViolations();

    api.set('GET /api/v1/claims', () => claimList([{ ...removedOnOrcid(), state: 'waiting', skip_reason: null }]));
    await user.click(within(gone).getByRole('button', { name: 'Add again' }));
    expect(api.callsTo('POST', '/api/v1/claims').map((c) => c.body)).toEqual([
      { doi: '10.5555/gone', source: 'search_and_link' },
    ]);
    expect(await within(await row('Your claims', 'Glacier melt')).findByText('Queued')).toHaveClass('pill');
  });

  it('reads the same on the Search & Link page, the day fetched with the claim, and Add again there', async () => {
    const api = mockApi(signedInHandlers(), {
      'GET /api/v1/works': () =>
        workList([
          work({
            doi: '10.5555/gone',
            title: 'Glacier melt',
            in_orcid_record: false,
            claim: { id: 'c-1', state: 'removed_in_orcid', action: 'create', source: 'search_and_link' },
          }),
        ]),
      'GET /api/v1/claims/{id}': () => removedOnOrcid(),
      'POST /api/v1/claims': () => accepted({ ...removedOnOrcid(), state: 'waiting', skip_reason: null }),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/claims/search' });

    const gone = await row('Your DOIs in DataCite', 'Glacier melt');
    expect(within(gone).getByText('Removed on orcid.org')).toHaveClass('pill');
    expect(await within(gone).findByText(REMOVED_REASON)).toBeInTheDocument();
    expect(within(gone).queryByRole('button', { name: 'Add to ORCID record' })).not.toBeInTheDocument();
    expect(api.callsTo('GET', '/api/v1/claims/c-1')).toHaveLength(1);
    await expectNoAxeViolations();

    await user.click(within(gone).getByRole('button', { name: 'Add again' }));
    expect(api.callsTo('POST', '/api/v1/claims').map((c) => c.body)).toEqual([
      { doi: '10.5555/gone', source: 'search_and_link' },
    ]);
  });
});
