import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../../App';
import { accepted, mockApi, problem } from '../../test/api';
import { expectNoAxeViolations } from '../../test/axe';
import { claim, claimList, permission, signedInHandlers, work, workList } from '../../test/fixtures';
import { renderWithProviders } from '../../test/render';

const region = (name: string) => screen.findByRole('region', { name });

const exclusion = (over: Partial<{ id: string; kind: string; value: string; origin: string }> = {}) => ({
  id: 'e1',
  kind: 'doi',
  value: '10.5555/gone',
  origin: 'removed',
  created_at: '2025-02-14T12:00:00Z',
  ...over,
});

describe('ORCID claims → Auto-Update', () => {
  it('saves "Ask me first" at once and says so politely', async () => {
    const api = mockApi(signedInHandlers(), {
      'PUT /api/v1/auto-update/settings': ({ body }) => body as { mode: string },
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/claims/auto-update' });
    const mode = await region('New DOIs');
    expect(await within(mode).findByRole('radio', { name: 'Add new DOIs automatically' })).toBeChecked();
    await user.click(within(mode).getByRole('radio', { name: 'Ask me first' }));
    expect(await within(mode).findByText('Saved. New DOIs that name you now wait for your approval.')).toBeInTheDocument();
    expect(within(mode).getByRole('radio', { name: 'Ask me first' })).toBeChecked();
    expect(api.callsTo('PUT', '/api/v1/auto-update/settings').map((c) => c.body)).toEqual([{ mode: 'review' }]);
    await expectNoAxeViolations();
  });

  it('asks in the ORCID inbox unless unticked, saving at once with the mode as it is', async () => {
    let saved = { mode: 'review', inbox_notifications: true };
    const api = mockApi(signedInHandlers(), {
      'GET /api/v1/auto-update/settings': () => saved,
      'PUT /api/v1/auto-update/settings': ({ body }) => {
        saved = { ...saved, ...(body as Partial<typeof saved>) };
        return saved;
      },
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/claims/auto-update' });
    const inbox = await region('Requests in your ORCID inbox');
    const ask = await within(inbox).findByRole('checkbox', { name: 'Ask me in my ORCID inbox' });
    expect(ask).toBeChecked();
    expect(ask).toHaveAccessibleDescription(
      'When new DOIs name you and Auto-Update is not enabled, Profiles may send a permission request to your ORCID inbox, at most once a month; untick this to never be asked.',
    );

    await user.click(ask);
    expect(await within(inbox).findByRole('status')).toHaveTextContent(
      'Saved. Profiles will never ask you in your ORCID inbox.',
    );
    expect(ask).not.toBeChecked();
    await user.click(ask);
    expect(await within(inbox).findByText('Saved. Profiles may ask you in your ORCID inbox, at most once a month.')).toBeInTheDocument();
    expect(ask).toBeChecked();
    // The mode goes as it is: "Ask me first" stays chosen.
    expect(api.callsTo('PUT', '/api/v1/auto-update/settings').map((c) => c.body)).toEqual([
      { mode: 'review', inbox_notifications: false },
      { mode: 'review', inbox_notifications: true },
    ]);
    expect(within(await region('New DOIs')).getByRole('radio', { name: 'Ask me first' })).toBeChecked();
    await expectNoAxeViolations();
  });

  it('shows an earlier “no” unticked, and a refusal in words with the choice as it was', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/auto-update/settings': () => ({ mode: 'automatic', inbox_notifications: false }),
      'PUT /api/v1/auto-update/settings': () => problem(403, 'forbidden', 'This request came from another site.'),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/claims/auto-update' });
    const inbox = await region('Requests in your ORCID inbox');
    const ask = await within(inbox).findByRole('checkbox', { name: 'Ask me in my ORCID inbox' });
    expect(ask).not.toBeChecked();

    await user.click(ask);
    expect(await within(inbox).findByRole('alert')).toHaveTextContent(
      'Your choice was not saved. This request came from another site.',
    );
    expect(ask).not.toBeChecked();
  });

  it('starts the back-fill only with Auto-Update enabled, and says what happens', async () => {
    const api = mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/permissions': () => [
        permission('search_and_link'),
        permission('auto_update', { status: 'active', granted_at: '2025-02-14T12:00:00Z' }),
      ],
      'POST /api/v1/auto-update/backfill': () => accepted({ queued: true }),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/claims/auto-update' });
    const box = await region('Find all my DOIs');
    await user.click(await within(box).findByRole('button', { name: 'Find all my DOIs now' }));
    expect(await within(box).findByRole('status')).toHaveTextContent('Profiles is looking for your DOIs');
    expect(api.callsTo('POST', '/api/v1/auto-update/backfill')).toHaveLength(1);
    await expectNoAxeViolations();
  });

  it('lists exclusions with their origin in words, stops one, and shows a 422 at the field', async () => {
    let rows = [exclusion(), exclusion({ id: 'e2', kind: 'resource_type', value: 'software', origin: 'person' })];
    const api = mockApi(signedInHandlers(), {
      'GET /api/v1/auto-update/exclusions': () => rows,
      'DELETE /api/v1/auto-update/exclusions/{id}': ({ params }) => {
        rows = rows.filter((r) => r.id !== params.id);
        return undefined;
      },
      'POST /api/v1/auto-update/exclusions': () =>
        problem(422, 'invalid_parameter', 'Invalid request.', [{ field: 'value', message: 'not a DOI prefix' }]),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/claims/auto-update' });
    const box = await region('What Auto-Update leaves out');
    const list = await within(box).findByRole('list', { name: 'Your exclusions' });
    expect(within(list).getByText('The DOI 10.5555/gone').closest('li')).toHaveTextContent(
      'You removed it from your ORCID record.',
    );
    expect(within(list).getByText('Software DOIs').closest('li')).toHaveTextContent('You added this exclusion.');
    await user.click(
      within(within(list).getByText('Software DOIs').closest('li') ?? list).getByRole('button', { name: 'Stop excluding' }),
    );
    expect(await within(box).findByText('Auto-Update no longer leaves out: Software DOIs.')).toBeInTheDocument();
    expect(api.callsTo('DELETE', '/api/v1/auto-update/exclusions/e2')).toHaveLength(1);

    await user.selectOptions(within(box).getByLabelText('Leave out'), 'DOIs with this prefix');
    const prefix = within(box).getByLabelText('Prefix');
    expect(prefix).toHaveAccessibleDescription(/before the slash/);
    await user.type(prefix, 'nope');
    await user.click(within(box).getByRole('button', { name: 'Add exclusion' }));
    expect(await within(box).findByText('Not a DOI prefix.')).toBeInTheDocument();
    expect(prefix).toHaveAttribute('aria-invalid', 'true');
    await expectNoAxeViolations();
  });
});

describe('the review queue', () => {
  it('adds one, dismisses all after asking, and then says nothing waits', async () => {
    let waiting = [
      claim({ id: 'a', doi: '10.5555/a', title: 'First', state: 'pending_review', source: 'auto_update' }),
      claim({ id: 'b', doi: '10.5555/b', title: 'Second', state: 'pending_review', source: 'auto_update' }),
    ];
    const api = mockApi(signedInHandlers(), {
      'GET /api/v1/claims': () => claimList(waiting),
      'POST /api/v1/claims/{id}/approve': ({ params }) => {
        const approved = waiting.find((c) => c.id === params.id) ?? claim();
        waiting = waiting.filter((c) => c.id !== params.id);
        return { ...approved, state: 'waiting' };
      },
      'POST /api/v1/auto-update/review': () => {
        const changed = waiting.length;
        waiting = [];
        return { changed };
      },
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/claims/auto-update/review' });
    const queue = await region('Waiting for your approval');
    const first = (await within(queue).findByText('First')).closest('li');
    if (!first) throw new Error('no row');
    await user.click(within(first).getByRole('button', { name: 'Add to ORCID record' }));
    expect(await within(queue).findByText('“First” (10.5555/a) will be added to your ORCID record.')).toBeInTheDocument();

    await user.click(within(queue).getByRole('button', { name: 'Dismiss all' }));
    const dialog = await screen.findByRole('dialog', { name: 'Dismiss all?' });
    await expectNoAxeViolations();
    await user.click(within(dialog).getByRole('button', { name: 'Dismiss all' }));
    expect(await within(queue).findByText('Nothing waits for your approval.', { exact: false })).toBeInTheDocument();
    expect(api.callsTo('POST', '/api/v1/auto-update/review').map((c) => c.body)).toEqual([{ decision: 'dismiss' }]);
    expect(api.calls.find((c) => c.path === '/api/v1/claims')?.search).toContain('state=pending_review');
    await expectNoAxeViolations();
  });
});

describe('Search & Link: in the record already', () => {
  it('says who added a DOI already in the record, without an Add button', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/works': () =>
        workList([work({ title: 'Elsewhere', in_orcid_record: true, in_record_from: 'Crossref Metadata Search' })]),
    });
    renderWithProviders(<App />, { route: '/settings/claims/search' });
    const dois = await region('Your DOIs in DataCite');
    const row = (await within(dois).findByText('Elsewhere')).closest('li');
    if (!row) throw new Error('no row');
    expect(within(row).getByText('Already in your ORCID record, added by Crossref Metadata Search.')).toBeInTheDocument();
    expect(within(row).queryByRole('button', { name: 'Add to ORCID record' })).not.toBeInTheDocument();
    await expectNoAxeViolations();
  });
});
