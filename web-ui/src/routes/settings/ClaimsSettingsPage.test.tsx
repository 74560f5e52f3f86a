import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../../App';
import { formatDate } from '../../lib/format';
import { accepted, mockApi, problem, reauthenticationRequired } from '../../test/api';
import { expectNoAxeViolations } from '../../test/axe';
import { expectFlowPost, expectReauthentication } from '../../test/flows';
import {
  claim,
  claimList,
  claimStates,
  claimStats,
  permission,
  signedInHandlers,
  work,
  workList,
} from '../../test/fixtures';
import { renderWithProviders } from '../../test/render';

async function box(name: string): Promise<HTMLElement> {
  return screen.findByRole('region', { name });
}

describe('settings: ORCID claims', () => {
  it('shows Enabled with Disable, and Disabled with an Enable button that posts the grant and comes back here', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/permissions': () => [
        permission('search_and_link', { status: 'active', granted_at: '2025-01-10T10:00:00Z' }),
        permission('auto_update', { status: 'revoked', revoked_at: '2025-02-10T10:00:00Z' }),
      ],
    });
    renderWithProviders(<App />, { route: '/settings/claims' });

    const searchAndLink = await box('Search & Link');
    expect(within(searchAndLink).getByText('Enabled')).toHaveClass('pill');
    expect(within(searchAndLink).getByRole('button', { name: 'Disable Search & Link' })).toBeInTheDocument();
    expect(within(searchAndLink).queryByRole('button', { name: /Enable/ })).not.toBeInTheDocument();

    const autoUpdate = await box('Auto-Update');
    expect(within(autoUpdate).getByText('Disabled')).toHaveClass('pill');
    // A same-origin form post, not a link: the server refuses a grant that another site started.
    expect(within(autoUpdate).queryByRole('link', { name: 'Enable Auto-Update' })).not.toBeInTheDocument();
    expectFlowPost(within(autoUpdate).getByRole('button', { name: 'Enable Auto-Update' }), '/auth/orcid/grant', {
      kind: 'auto_update',
      return_to: '/settings/claims?granted=auto_update',
    });
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    await expectNoAxeViolations();
  });

  it('explains an invalid grant (revoked on ORCID) and offers to enable it again', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/permissions': () => [
        permission('search_and_link', { status: 'invalid', granted_at: '2025-01-10T10:00:00Z' }),
        permission('auto_update', { status: 'expired', granted_at: '2005-01-10T10:00:00Z' }),
      ],
    });
    renderWithProviders(<App />, { route: '/settings/claims' });

    const searchAndLink = await box('Search & Link');
    expect(within(searchAndLink).getByText('Access revoked on ORCID — enable again')).toHaveClass('pill');
    const alert = within(searchAndLink).getByRole('alert');
    expect(alert).toHaveTextContent('it was probably revoked on orcid.org');
    expectFlowPost(within(alert).getByRole('button', { name: 'Enable Search & Link again' }), '/auth/orcid/grant', {
      kind: 'search_and_link',
      return_to: '/settings/claims?granted=search_and_link',
    });
    expect(within(searchAndLink).queryByRole('button', { name: /Disable/ })).not.toBeInTheDocument();

    const autoUpdate = await box('Auto-Update');
    expect(within(autoUpdate).getByText('Expired')).toHaveClass('pill');
    expect(within(autoUpdate).getByRole('alert')).toHaveTextContent('has expired');
    expectFlowPost(within(autoUpdate).getByRole('button', { name: 'Enable Auto-Update again' }), '/auth/orcid/grant', {
      kind: 'auto_update',
      return_to: '/settings/claims?granted=auto_update',
    });
    await expectNoAxeViolations();
  });

  it('disables a permission with DELETE only after confirmation', async () => {
    const api = mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/permissions': () => [
        permission('search_and_link'),
        permission('auto_update', { status: 'active', granted_at: '2025-01-10T10:00:00Z' }),
      ],
      'DELETE /api/v1/accounts/me/permissions/{kind}': () =>
        permission('auto_update', { status: 'revoked', revoked_at: '2025-03-02T10:00:00Z' }),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/claims' });
    await user.click(within(await box('Auto-Update')).getByRole('button', { name: 'Disable Auto-Update' }));

    const dialog = screen.getByRole('dialog', { name: 'Disable Auto-Update?' });
    expect(dialog).toHaveTextContent('DataCite will stop adding new works to your ORCID record automatically.');
    expect(api.calls.filter((c) => c.method === 'DELETE')).toHaveLength(0);

    api.set('GET /api/v1/accounts/me/permissions', () => [
      permission('search_and_link'),
      permission('auto_update', { status: 'revoked', revoked_at: '2025-03-02T10:00:00Z' }),
    ]);
    await user.click(within(dialog).getByRole('button', { name: 'Disable' }));

    expect(await screen.findByText('Auto-Update is disabled.')).toBeInTheDocument();
    expect(api.callsTo('DELETE', '/api/v1/accounts/me/permissions/auto_update')).toHaveLength(1);
    expect(await within(await box('Auto-Update')).findByRole('button', { name: 'Enable Auto-Update' })).toBeInTheDocument();
  });

  it('shows why disabling failed (ORCID unreachable) and changes nothing', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/permissions': () => [
        permission('search_and_link', { status: 'active', granted_at: '2025-01-10T10:00:00Z' }),
        permission('auto_update'),
      ],
      'DELETE /api/v1/accounts/me/permissions/{kind}': () =>
        problem(502, 'provider_unavailable', 'ORCID could not be reached; nothing changed.'),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/claims' });
    await user.click(within(await box('Search & Link')).getByRole('button', { name: 'Disable Search & Link' }));
    const dialog = screen.getByRole('dialog');

    await user.click(within(dialog).getByRole('button', { name: 'Disable' }));

    expect(await within(dialog).findByRole('alert')).toHaveTextContent('ORCID could not be reached; nothing changed.');
  });

  it('asks to sign in again when disabling needs a recent sign-in, without signing the person out', async () => {
    const api = mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/permissions': () => [
        permission('search_and_link', { status: 'active', granted_at: '2025-01-10T10:00:00Z' }),
        permission('auto_update'),
      ],
      'DELETE /api/v1/accounts/me/permissions/{kind}': () => reauthenticationRequired(),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/claims' });
    await user.click(within(await box('Search & Link')).getByRole('button', { name: 'Disable Search & Link' }));
    const dialog = screen.getByRole('dialog');

    await user.click(within(dialog).getByRole('button', { name: 'Disable' }));

    expectReauthentication(await within(dialog).findByRole('alert'), '/settings/claims', 'Nothing was changed.');
    expect(api.callsTo('DELETE', '/api/v1/accounts/me/permissions/search_and_link')).toHaveLength(1);
  });

  it('explains a refused grant (?error=access_denied)', async () => {
    mockApi(signedInHandlers());
    renderWithProviders(<App />, { route: '/settings/claims?error=access_denied' });

    expect(await screen.findByRole('alert')).toHaveTextContent('Access was not granted at the provider');
  });

  it('links to DataCite Search for your works', async () => {
    mockApi(signedInHandlers());
    renderWithProviders(<App />, { route: '/settings/claims/search' });

    const dois = await box('Your DOIs in DataCite');
    expect(within(dois).getByRole('link', { name: 'find your works in DataCite Search' })).toHaveAttribute(
      'href',
      expect.stringContaining('https://search.datacite.org/doi.org?query=') as string,
    );
    expect(await within(dois).findByText('No DOIs in DataCite name your ORCID iD yet.')).toBeInTheDocument();
  });
});

async function row(region: string, text: string): Promise<HTMLElement> {
  const item = (await within(await box(region)).findByText(text)).closest('li');
  if (!item) throw new Error(`No list item holds ${text}`);
  return item;
}

describe('settings: ORCID claims list and Search & Link', () => {
  it('summarises claims by source and state, with the last DOI added', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/claims/stats': () =>
        claimStats({
          total: 7,
          states: claimStates({ done: 3, waiting: 1, failed: 1, waiting_for_permission: 2 }),
          sources: [
            {
              source: 'search_and_link',
              label: 'ORCID Search & Link',
              total: 5,
              states: claimStates({ done: 3, waiting: 1, failed: 1 }),
            },
            {
              source: 'auto_update',
              label: 'ORCID Auto-Update',
              total: 2,
              states: claimStates({ waiting_for_permission: 2 }),
            },
          ],
          last_claimed: {
            doi: '10.5555/j9cp-6b21',
            doi_url: 'https://doi.org/10.5555/j9cp-6b21',
            title: 'Ocean temperatures 1990–2020',
            claimed_at: '2025-02-14T12:00:00Z',
          },
        }),
    });
    renderWithProviders(<App />, { route: '/settings/claims' });

    const searchAndLink = await box('ORCID Search & Link');
    expect(searchAndLink).toHaveTextContent('5 claims');
    const lines = within(searchAndLink)
      .getAllByRole('listitem')
      .map((li) => li.textContent);
    expect(lines).toEqual(['3 in your record', '1 queued', '0 waiting for permission', '1 failed']);

    const autoUpdate = await box('ORCID Auto-Update');
    expect(autoUpdate).toHaveTextContent('2 claims');
    expect(within(autoUpdate).getByText('2 waiting for permission')).toBeInTheDocument();
    expect(within(autoUpdate).getByText('0 in your record')).toBeInTheDocument();

    const summary = await box('Claim summary');
    expect(summary).toHaveTextContent(
      `Last added: 10.5555/j9cp-6b21 (Ocean temperatures 1990–2020) on ${formatDate('2025-02-14T12:00:00Z')}.`,
    );
    expect(within(summary).getByRole('link', { name: '10.5555/j9cp-6b21' })).toHaveAttribute(
      'href',
      'https://doi.org/10.5555/j9cp-6b21',
    );
  });

  it('adds a DOI to the ORCID record with POST /api/v1/claims and shows it queued', async () => {
    const unclaimed = work({ doi: '10.5555/k4s2-v7q8', title: 'Glacier melt measurements, Svalbard' });
    const claimed = work({
      doi: '10.5555/j9cp-6b21',
      title: 'Ocean temperatures 1990–2020',
      publication_year: 2021,
      in_orcid_record: true,
      claim: { id: 'c-1', state: 'done', action: 'create', source: 'search_and_link' },
    });
    const api = mockApi(signedInHandlers(), {
      'GET /api/v1/works': () => workList([unclaimed, claimed]),
      'POST /api/v1/claims': ({ body }) => {
        const { doi } = body as { doi: string };
        return accepted(claim({ id: 'c-2', doi, state: 'waiting', claimed_at: null }));
      },
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/claims/search' });

    const done = await row('Your DOIs in DataCite', 'Ocean temperatures 1990–2020');
    expect(within(done).getByText('In your ORCID record')).toHaveClass('pill', 'pill--success');
    expect(within(done).getByRole('link', { name: '10.5555/j9cp-6b21' })).toHaveAttribute(
      'href',
      'https://doi.org/10.5555/j9cp-6b21',
    );
    expect(done).toHaveTextContent('2021');
    expect(within(done).queryByRole('button')).not.toBeInTheDocument();

    const glacier = await row('Your DOIs in DataCite', 'Glacier melt measurements, Svalbard');
    expect(glacier).toHaveTextContent('2023');
    api.set('GET /api/v1/works', () =>
      workList([
        { ...unclaimed, claim: { id: 'c-2', state: 'waiting', action: 'create', source: 'search_and_link' } },
        claimed,
      ]),
    );
    await user.click(within(glacier).getByRole('button', { name: 'Add to ORCID record' }));

    expect(api.callsTo('POST', '/api/v1/claims').map((c) => c.body)).toEqual([{ doi: '10.5555/k4s2-v7q8' }]);
    expect(await screen.findByText('10.5555/k4s2-v7q8 is queued for your ORCID record.')).toBeInTheDocument();
    const queued = await row('Your DOIs in DataCite', 'Glacier melt measurements, Svalbard');
    expect(await within(queued).findByText('Queued')).toHaveClass('pill', 'pill--info');
    expect(within(queued).queryByRole('button')).not.toBeInTheDocument();
    expect(api.callsTo('GET', '/api/v1/works').length).toBeGreaterThanOrEqual(2);
  });

  it('searches DataCite with the query', async () => {
    const api = mockApi(signedInHandlers(), {
      'GET /api/v1/works': ({ url }) =>
        url.searchParams.get('query') === 'glacier' ? workList([work()]) : workList([]),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/claims/search' });

    await user.type(await screen.findByRole('searchbox', { name: 'Search DataCite' }), 'glacier');
    await user.click(screen.getByRole('button', { name: 'Search' }));

    expect(await row('Your DOIs in DataCite', 'Glacier melt measurements, Svalbard')).toBeInTheDocument();
    expect(api.callsTo('GET', '/api/v1/works').map((c) => new URLSearchParams(c.search).get('query'))).toEqual([
      null,
      'glacier',
    ]);
  });

  it('shows why adding failed', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/works': () => workList([work()]),
      'POST /api/v1/claims': () => problem(422, 'invalid_doi', 'That is not a DOI.'),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/claims/search' });

    const glacier = await row('Your DOIs in DataCite', 'Glacier melt measurements, Svalbard');
    await user.click(within(glacier).getByRole('button', { name: 'Add to ORCID record' }));

    expect(await within(await box('Your DOIs in DataCite')).findByRole('alert')).toHaveTextContent(
      'Could not add 10.5555/k4s2-v7q8 to your ORCID record. That is not a DOI.',
    );
  });

  it('shows a failed claim with its error, and Try again posts the retry', async () => {
    const failed = claim({
      id: 'c-failed',
      doi: '10.5555/fail-1',
      title: 'Soil samples',
      source: 'auto_update',
      state: 'failed',
      claimed_at: null,
      error: {
        code: 'orcid_unavailable',
        message: 'ORCID is unavailable: HTTP 503: Service Unavailable (gave up after 12 attempts)',
      },
    });
    const done = claim({ id: 'c-done', doi: '10.5555/done-1', title: 'River flow', state: 'done' });
    const api = mockApi(signedInHandlers(), {
      'GET /api/v1/claims': () => claimList([failed, done]),
      'POST /api/v1/claims/{id}/retry': ({ params }) =>
        accepted(claim({ ...failed, id: params.id ?? '', state: 'waiting', error: null })),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/claims/list' });

    const soil = await row('Your claims', 'Soil samples');
    expect(within(soil).getByText('Failed')).toHaveClass('pill', 'pill--danger');
    expect(soil).toHaveTextContent('ORCID did not answer. Try again later.');
    expect(soil).not.toHaveTextContent('HTTP');
    expect(soil).toHaveTextContent('ORCID Auto-Update');
    expect(within(soil).getByRole('link', { name: '10.5555/fail-1' })).toHaveAttribute(
      'href',
      'https://doi.org/10.5555/fail-1',
    );
    expect(within(soil).queryByRole('button', { name: 'Remove from ORCID record' })).not.toBeInTheDocument();

    const river = await row('Your claims', 'River flow');
    expect(within(river).getByText('In your ORCID record')).toHaveClass('pill', 'pill--success');
    expect(river).toHaveTextContent('ORCID Search & Link');
    expect(within(river).queryByRole('button', { name: 'Try again' })).not.toBeInTheDocument();
    expect(within(river).getByRole('button', { name: 'Remove from ORCID record' })).toBeInTheDocument();

    api.set('GET /api/v1/claims', () => claimList([{ ...failed, state: 'waiting', error: null }, done]));
    await user.click(within(soil).getByRole('button', { name: 'Try again' }));

    expect(api.callsTo('POST', '/api/v1/claims/c-failed/retry')).toHaveLength(1);
    expect(await screen.findByText('10.5555/fail-1 is queued again.')).toBeInTheDocument();
    const requeued = await row('Your claims', 'Soil samples');
    expect(await within(requeued).findByText('Queued')).toHaveClass('pill');
    expect(requeued).not.toHaveTextContent('ORCID did not answer.');
    expect(within(requeued).queryByRole('button', { name: 'Try again' })).not.toBeInTheDocument();
  });

  it('shows a skipped claim with its reason, and the 409 when retry is refused', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/claims': () =>
        claimList([
          claim({
            id: 'c-skip',
            title: 'Dataset v2',
            source: 'auto_update',
            state: 'ignored',
            claimed_at: null,
            skip_reason: 'A version of another DOI.',
          }),
        ]),
      'POST /api/v1/claims/{id}/retry': () => problem(409, 'claim_not_retryable', 'The claim is already queued.'),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/claims/list' });

    const skipped = await row('Your claims', 'Dataset v2');
    expect(within(skipped).getByText('Skipped')).toHaveClass('pill', 'pill--neutral');
    expect(skipped).toHaveTextContent('Skipped: A version of another DOI.');
    await user.click(within(skipped).getByRole('button', { name: 'Try again' }));

    expect(await within(await box('Your claims')).findByRole('alert')).toHaveTextContent(
      'Could not try the claim again. The claim is already queued.',
    );
  });

  it('filters claims by state and pages by number', async () => {
    const api = mockApi(signedInHandlers(), {
      'GET /api/v1/claims': ({ url }) => {
        const page = Number(url.searchParams.get('page[number]') ?? '1');
        const state = url.searchParams.get('state');
        const title = `${state ?? 'all'} page ${page}`;
        return claimList([claim({ id: title, title })], { total: 60, page, total_pages: 3 });
      },
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/claims/list' });

    const claims = await box('Your claims');
    expect(await within(claims).findByText('all page 1')).toBeInTheDocument();
    expect(claims).toHaveTextContent('60 claims');
    expect(within(claims).getByText('Page 1 of 3')).toBeInTheDocument();
    expect(within(claims).getByRole('button', { name: 'Previous' })).toBeDisabled();

    await user.click(within(claims).getByRole('button', { name: 'Next' }));
    expect(await within(claims).findByText('all page 2')).toBeInTheDocument();
    expect(within(claims).getByText('Page 2 of 3')).toBeInTheDocument();

    await user.selectOptions(within(claims).getByRole('combobox', { name: 'Show' }), 'Failed');
    expect(await within(claims).findByText('failed page 1')).toBeInTheDocument();

    expect(
      api.callsTo('GET', '/api/v1/claims').map((c) => {
        const params = new URLSearchParams(c.search);
        return [params.get('state'), params.get('page[number]')];
      }),
    ).toEqual([
      [null, '1'],
      [null, '2'],
      ['failed', '1'],
    ]);
  });

  it('removes a work from the ORCID record with DELETE only after confirmation', async () => {
    const done = claim({ id: 'c-done', title: 'River flow', state: 'done' });
    const api = mockApi(signedInHandlers(), {
      'GET /api/v1/claims': () => claimList([done]),
      'DELETE /api/v1/claims/{id}': () => accepted({ ...done, action: 'delete', state: 'waiting' }),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/claims/list' });

    const river = await row('Your claims', 'River flow');
    await user.click(within(river).getByRole('button', { name: 'Remove from ORCID record' }));
    const dialog = screen.getByRole('dialog', { name: 'Remove from ORCID record?' });
    expect(dialog).toHaveTextContent('DataCite will remove “River flow” (10.5555/j9cp-6b21) from your ORCID record.');
    expect(api.callsTo('DELETE', '/api/v1/claims/c-done')).toHaveLength(0);

    api.set('GET /api/v1/claims', () => claimList([{ ...done, action: 'delete', state: 'waiting' }]));
    await user.click(within(dialog).getByRole('button', { name: 'Remove' }));

    expect(api.callsTo('DELETE', '/api/v1/claims/c-done')).toHaveLength(1);
    expect(await screen.findByText('10.5555/j9cp-6b21 will be removed from your ORCID record.')).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(await within(await row('Your claims', 'River flow')).findByText('Being removed')).toHaveClass('pill');
  });

  it('has no axe violations on the overview, the full list and the search page', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/claims/stats': () =>
        claimStats({
          total: 1,
          states: claimStates({ failed: 1 }),
          last_claimed: {
            doi: '10.5555/j9cp-6b21',
            doi_url: 'https://doi.org/10.5555/j9cp-6b21',
            title: null,
            claimed_at: '2025-02-14T12:00:00Z',
          },
        }),
      'GET /api/v1/works': () => workList([work(), work({ doi: '10.5555/other', title: 'Other' })], { total_pages: 2 }),
      'GET /api/v1/claims': () =>
        claimList(
          [
            claim({ id: 'a', state: 'failed', error: { code: 'orcid_unavailable', message: 'ORCID is down.' } }),
            claim({ id: 'b', doi: '10.5555/b', title: 'B', state: 'done' }),
          ],
          { total: 30, total_pages: 2 },
        ),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/claims' });

    expect(await box('ORCID Search & Link')).toBeInTheDocument();
    expect(await box('Search & Link')).toBeInTheDocument();
    await expectNoAxeViolations();

    await user.click(screen.getByRole('link', { name: 'More info' }));
    expect(await row('Your claims', 'B')).toBeInTheDocument();
    await expectNoAxeViolations();

    await user.click(screen.getByRole('link', { name: 'Back to ORCID claims' }));
    await user.click(await screen.findByRole('link', { name: 'Find works' }));
    expect(await row('Your DOIs in DataCite', 'Other')).toBeInTheDocument();
    await expectNoAxeViolations();
  });
});
