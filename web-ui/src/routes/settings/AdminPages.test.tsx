import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../../App';
import type { components } from '../../api/schema';
import { accepted, mockApi, problem, reauthenticationRequired, type Call, type Handlers } from '../../test/api';
import { expectNoAxeViolations } from '../../test/axe';
import { expectReauthentication } from '../../test/flows';
import {
  account,
  activityEntry,
  activityList,
  adminAccountDetail,
  adminAccountList,
  adminAccountSummary,
  auditEntry,
  claim,
  claimList,
  notificationList,
  ORCID,
  OTHER_ORCID,
  signedInHandlers,
} from '../../test/fixtures';
import { renderWithProviders } from '../../test/render';

type Role = components['schemas']['Role'];

const FAILED_CLAIM_ID = '6f1e2d3c-4b5a-4968-8776-655443322110';

const failedClaim = () =>
  claim({
    id: FAILED_CLAIM_ID,
    orcid: OTHER_ORCID,
    doi: '10.5555/fail-0001',
    title: 'Sea ice thickness 2019',
    state: 'failed',
    attempts: 5,
    put_code: null,
    claimed_at: null,
    error: { code: 'orcid_unavailable', message: 'ORCID did not answer (503) after 5 attempts.' },
  });

const doneClaim = () => claim({ orcid: OTHER_ORCID });

function adminHandlers(role: Role = 'staff_admin'): Handlers {
  return {
    ...signedInHandlers(),
    'GET /api/v1/accounts/me': () => account({ role }),
    'GET /api/v1/admin/accounts': () =>
      adminAccountList(
        [
          adminAccountSummary(),
          adminAccountSummary({
            id: 'a2',
            orcid: ORCID,
            name: 'Josiah Carberry',
            role: 'staff_admin',
            claims: 0,
            claims_failed: 0,
          }),
        ],
        {
          total: 60,
          total_pages: 3,
          roles: { user: 57, staff_admin: 2, staff_user: 1 },
          created_years: { '2023': 20, '2024': 25, '2025': 15 },
        },
      ),
    'GET /api/v1/admin/accounts/{orcid}': () => adminAccountDetail(),
    'GET /api/v1/claims': () => claimList([failedClaim(), doneClaim()]),
    'GET /api/v1/admin/audit': () => [auditEntry()],
    'GET /api/v1/admin/activity': () => activityList([]),
    'GET /api/v1/admin/notifications': () => notificationList([]),
  };
}

const searchParams = (call: Call | undefined) => new URLSearchParams(call?.search ?? '');
const lastCall = (calls: Call[]) => calls[calls.length - 1];

describe('admin: account search', () => {
  it('sends the search text and the role, with counts per role and year', async () => {
    const api = mockApi(adminHandlers());
    const { user } = renderWithProviders(<App />, { route: '/settings/admin' });

    const search = await screen.findByRole('region', { name: 'Find an account' });
    const role = within(search).getByLabelText('Role');
    await within(search).findByRole('option', { name: 'User (57)' });
    expect(within(role).getByRole('option', { name: 'Staff Admin (2)' })).toBeInTheDocument();
    expect(within(role).getByRole('option', { name: 'Client Admin (0)' })).toBeInTheDocument();
    const year = within(search).getByLabelText('Created in');
    expect(within(year).getAllByRole('option').map((o) => o.textContent)).toEqual([
      'Any year',
      '2025 (15)',
      '2024 (25)',
      '2023 (20)',
    ]);

    await user.type(within(search).getByRole('searchbox', { name: 'Search accounts' }), ' haak ');
    await user.click(within(search).getByRole('button', { name: 'Search' }));
    await waitFor(() => {
      expect(searchParams(lastCall(api.callsTo('GET', '/api/v1/admin/accounts'))).get('q')).toBe('haak');
    });

    await user.selectOptions(role, 'staff_admin');
    await waitFor(() => {
      const params = searchParams(lastCall(api.callsTo('GET', '/api/v1/admin/accounts')));
      expect(params.get('q')).toBe('haak');
      expect(params.get('role')).toBe('staff_admin');
    });

    await user.selectOptions(year, '2024');
    await waitFor(() => {
      expect(searchParams(lastCall(api.callsTo('GET', '/api/v1/admin/accounts'))).get('created_year')).toBe('2024');
    });

    await user.click(within(search).getByRole('button', { name: 'Next' }));
    await waitFor(() => {
      const params = searchParams(lastCall(api.callsTo('GET', '/api/v1/admin/accounts')));
      expect(params.get('page[number]')).toBe('2');
      expect(params.get('role')).toBe('staff_admin');
      expect(params.get('q')).toBe('haak');
    });
  });

  it('lists accounts with role and failed claims, linking to each, and passes axe', async () => {
    mockApi(adminHandlers());
    renderWithProviders(<App />, { route: '/settings/admin' });

    const list = await screen.findByRole('list', { name: 'Accounts' });
    const [laure] = within(list).getAllByRole('listitem') as [HTMLElement];
    expect(laure).toHaveTextContent(OTHER_ORCID);
    expect(laure).toHaveTextContent('laure@example.org');
    expect(laure).toHaveTextContent('1 failed claim');
    expect(within(laure).getByRole('link', { name: 'Laure Haak' })).toHaveAttribute(
      'href',
      `/settings/admin/accounts/${OTHER_ORCID}`,
    );
    expect(screen.getByText('60 accounts')).toBeInTheDocument();
    expect(await screen.findByRole('region', { name: 'Recent changes' })).toHaveTextContent('Account changed');
    await expectNoAxeViolations();
  });

  it('shows the API’s refusal in plain words', async () => {
    mockApi(adminHandlers('provider_user'), {
      'GET /api/v1/admin/accounts': () => problem(403, 'forbidden', 'Your role does not allow this.'),
    });
    renderWithProviders(<App />, { route: '/settings/admin' });

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not load the accounts. Your role does not allow this.',
    );
  });
});

describe('admin: one account', () => {
  const route = `/settings/admin/accounts/${OTHER_ORCID}`;

  it('shows identities, permission health, claim counts and why a claim failed', async () => {
    const api = mockApi(adminHandlers());
    renderWithProviders(<App />, { route });

    expect(await screen.findByRole('heading', { level: 2, name: 'Laure Haak' })).toBeInTheDocument();
    expect(api.callsTo('GET', `/api/v1/admin/accounts/${OTHER_ORCID}`)).toHaveLength(1);

    const identities = screen.getByRole('region', { name: 'Sign-in identities' });
    expect(identities).toHaveTextContent('ORCID');
    expect(identities).toHaveTextContent('Token active');

    const permissions = screen.getByRole('region', { name: 'ORCID permissions' });
    const [searchAndLink, autoUpdate] = within(permissions).getAllByRole('listitem') as [HTMLElement, HTMLElement];
    expect(searchAndLink).toHaveTextContent('Search & Link');
    expect(searchAndLink).toHaveTextContent('Invalid: rejected by ORCID');
    expect(autoUpdate).toHaveTextContent('Missing');

    const counts = screen.getByRole('region', { name: 'Claim counts' });
    const countOf = (term: string) => within(counts).getByText(term, { selector: 'dt' }).nextElementSibling;
    expect(countOf('Failed')).toHaveTextContent('1');
    expect(countOf('Done')).toHaveTextContent('3');
    expect(countOf('ORCID Search & Link')).toHaveTextContent('4');

    const claims = screen.getByRole('region', { name: 'Claims' });
    const failed = (await within(claims).findByText('Sea ice thickness 2019')).closest('li');
    expect(failed).toHaveTextContent('Failed');
    expect(failed).toHaveTextContent('Error: ORCID did not answer (503) after 5 attempts.');
    expect(failed).toHaveTextContent('orcid_unavailable');
    expect(searchParams(api.callsTo('GET', '/api/v1/claims')[0]).get('orcid')).toBe(OTHER_ORCID);

    await waitFor(() => {
      expect(screen.getByRole('region', { name: 'Recent changes to this account' })).toHaveTextContent('Account changed');
    });
    const audit = api.callsTo('GET', '/api/v1/admin/audit');
    expect(searchParams(audit[0]).get('target_id')).toBe(OTHER_ORCID);
    await expectNoAxeViolations();
  });

  it('requeues a failed claim with a POST to its requeue URL', async () => {
    const api = mockApi(adminHandlers(), {
      'POST /api/v1/admin/claims/{id}/requeue': ({ params }) =>
        accepted({ ...failedClaim(), id: params.id, state: 'waiting', error: null }),
    });
    const { user } = renderWithProviders(<App />, { route });
    const claims = await screen.findByRole('region', { name: 'Claims' });
    const failed = (await within(claims).findByText('Sea ice thickness 2019')).closest('li') as HTMLElement;
    // A done claim can be requeued too, but not ignored.
    const done = within(claims).getByText('Ocean temperatures 1990–2020').closest('li') as HTMLElement;
    expect(within(done).queryByRole('button', { name: 'Mark ignored' })).not.toBeInTheDocument();

    await user.click(within(failed).getByRole('button', { name: 'Requeue' }));

    expect(await within(claims).findByText('10.5555/fail-0001 is queued again.')).toBeInTheDocument();
    expect(api.calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual([
      `/api/v1/admin/claims/${FAILED_CLAIM_ID}/requeue`,
    ]);
    // The claims and counts are asked for again.
    await waitFor(() => {
      expect(api.callsTo('GET', '/api/v1/claims').length).toBeGreaterThan(1);
    });
  });

  it('marks a claim ignored only with a reason', async () => {
    const api = mockApi(adminHandlers(), {
      'POST /api/v1/admin/claims/{id}/ignore': () => ({
        ...failedClaim(),
        state: 'ignored',
        skip_reason: 'Duplicate of another DOI.',
      }),
    });
    const { user } = renderWithProviders(<App />, { route });
    const claims = await screen.findByRole('region', { name: 'Claims' });
    const failed = (await within(claims).findByText('Sea ice thickness 2019')).closest('li') as HTMLElement;

    await user.click(within(failed).getByRole('button', { name: 'Mark ignored' }));
    const dialog = screen.getByRole('dialog', { name: 'Mark this claim ignored?' });
    const reason = within(dialog).getByLabelText('Reason');
    expect(reason).toHaveFocus();
    const confirm = within(dialog).getByRole('button', { name: 'Mark ignored' });
    expect(confirm).toBeDisabled();
    await expectNoAxeViolations();
    await user.type(reason, '   ');
    expect(confirm).toBeDisabled();

    await user.type(reason, 'Duplicate of another DOI.');
    await user.click(confirm);

    expect(await within(claims).findByText('10.5555/fail-0001 is marked ignored.')).toBeInTheDocument();
    expect(api.callsTo('POST', `/api/v1/admin/claims/${FAILED_CLAIM_ID}/ignore`).map((c) => c.body)).toEqual([
      { reason: 'Duplicate of another DOI.' },
    ]);
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('retries all of the person’s failed claims', async () => {
    const api = mockApi(adminHandlers(), {
      'POST /api/v1/admin/claims/retry-failed': () => accepted({ requeued: 1 }),
    });
    const { user } = renderWithProviders(<App />, { route });
    const claims = await screen.findByRole('region', { name: 'Claims' });

    await user.click(within(claims).getByRole('button', { name: 'Retry all failed' }));

    expect(await within(claims).findByText('1 failed claim was queued again.')).toBeInTheDocument();
    expect(api.callsTo('POST', '/api/v1/admin/claims/retry-failed').map((c) => c.body)).toEqual([
      { orcid: OTHER_ORCID },
    ]);
  });

  it('shows why a requeue was refused', async () => {
    mockApi(adminHandlers(), {
      'POST /api/v1/admin/claims/{id}/requeue': () =>
        problem(409, 'claim_in_progress', 'A worker is processing this claim; try again shortly.'),
    });
    const { user } = renderWithProviders(<App />, { route });
    const claims = await screen.findByRole('region', { name: 'Claims' });
    const failed = (await within(claims).findByText('Sea ice thickness 2019')).closest('li') as HTMLElement;

    await user.click(within(failed).getByRole('button', { name: 'Requeue' }));

    expect(await within(claims).findByRole('alert')).toHaveTextContent(
      'The claim was not requeued. A worker is processing this claim; try again shortly.',
    );
  });

  it('lets a staff admin change the role and flags, sending only what changed', async () => {
    const changed = () => adminAccountDetail({ account: adminAccountSummary({ role: 'staff_user', beta_tester: true }) });
    const api = mockApi(adminHandlers(), { 'PATCH /api/v1/admin/accounts/{orcid}': changed });
    const { user } = renderWithProviders(<App />, { route });
    const form = await screen.findByRole('form', { name: 'Change account' });
    api.set('GET /api/v1/admin/accounts/{orcid}', changed);

    await user.selectOptions(within(form).getByLabelText('Role'), 'staff_user');
    await user.click(within(form).getByRole('checkbox', { name: 'Beta tester' }));
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));

    expect(await within(form).findByText('The account was changed.')).toBeInTheDocument();
    expect(api.callsTo('PATCH', `/api/v1/admin/accounts/${OTHER_ORCID}`).map((c) => c.body)).toEqual([
      { role: 'staff_user', beta_tester: true },
    ]);
    await waitFor(() => {
      expect(screen.getByText('Role', { selector: 'dt' }).nextElementSibling).toHaveTextContent('Staff User');
    });
  });

  it('shows the API’s refusal of a role change', async () => {
    mockApi(adminHandlers(), {
      'PATCH /api/v1/admin/accounts/{orcid}': () => problem(403, 'own_role', 'Nobody changes their own role.'),
    });
    const { user } = renderWithProviders(<App />, { route });
    const form = await screen.findByRole('form', { name: 'Change account' });
    await user.selectOptions(within(form).getByLabelText('Role'), 'staff_user');

    await user.click(within(form).getByRole('button', { name: 'Save changes' }));

    expect(await within(form).findByRole('alert')).toHaveTextContent(
      'The account was not changed. Nobody changes their own role.',
    );
  });

  it('asks to sign in again when a role change needs a recent sign-in', async () => {
    mockApi(adminHandlers(), { 'PATCH /api/v1/admin/accounts/{orcid}': () => reauthenticationRequired() });
    const { user } = renderWithProviders(<App />, { route });
    const form = await screen.findByRole('form', { name: 'Change account' });
    await user.selectOptions(within(form).getByLabelText('Role'), 'staff_user');

    await user.click(within(form).getByRole('button', { name: 'Save changes' }));

    expectReauthentication(await within(form).findByRole('alert'), route, 'The account was not changed.');
  });

  it('leaves out the role on one’s own account', async () => {
    mockApi(adminHandlers(), {
      'GET /api/v1/admin/accounts/{orcid}': () =>
        adminAccountDetail({ account: adminAccountSummary({ orcid: ORCID, name: 'Josiah Carberry', role: 'staff_admin' }) }),
    });
    renderWithProviders(<App />, { route: `/settings/admin/accounts/${ORCID}` });

    const form = await screen.findByRole('form', { name: 'Change account' });
    expect(within(form).queryByLabelText('Role')).not.toBeInTheDocument();
    expect(within(form).getByText('You cannot change your own role.')).toBeInTheDocument();
    expect(within(form).getByRole('checkbox', { name: 'Beta tester' })).toBeInTheDocument();
  });

  it('shows a staff user the claims and their errors, without changing anything', async () => {
    mockApi(adminHandlers('staff_user'));
    renderWithProviders(<App />, { route });

    const claims = await screen.findByRole('region', { name: 'Claims' });
    expect(await within(claims).findByText(/ORCID did not answer/)).toBeInTheDocument();
    expect(within(claims).queryByRole('button', { name: /Requeue|Mark ignored|Retry all failed/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('form', { name: 'Change account' })).not.toBeInTheDocument();
  });

  it('shows a provider admin the account, but not the staff-only claims, activity, inbox notifications and audit', async () => {
    const api = mockApi(adminHandlers('provider_admin'));
    renderWithProviders(<App />, { route });

    expect(await screen.findByRole('heading', { level: 2, name: 'Laure Haak' })).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'Claim counts' })).toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Claims' })).not.toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Activity in this ORCID record' })).not.toBeInTheDocument();
    expect(api.callsTo('GET', '/api/v1/claims')).toHaveLength(0);
    expect(api.callsTo('GET', '/api/v1/admin/audit')).toHaveLength(0);
    expect(api.callsTo('GET', '/api/v1/admin/activity')).toHaveLength(0);
    expect(api.callsTo('GET', '/api/v1/admin/notifications')).toHaveLength(0);
  });

  it('shows staff the activity in the person’s ORCID record, with ORCID’s status and our code as they are', async () => {
    const api = mockApi(adminHandlers('staff_user'), {
      'GET /api/v1/admin/activity': () =>
        activityList(
          [
            activityEntry({
              id: 12,
              orcid: OTHER_ORCID,
              doi: '10.5555/fail-0001',
              action: 'failed',
              reason: 'auto_update',
              put_code: null,
              orcid_status: 400,
              error_code: 'orcid_rejected',
              message: 'ORCID refused the request (HTTP 400): The client application sent a bad request to ORCID.',
            }),
            activityEntry({
              id: 11,
              orcid: OTHER_ORCID,
              action: 'removed',
              reason: 'reconcile',
              put_code: 1001,
              message: 'Gone from the ORCID record (removed on orcid.org); Profiles will not add it again unless you do.',
            }),
            activityEntry({
              id: 10,
              orcid: OTHER_ORCID,
              action: 'skipped',
              reason: 'admin',
              actor: ORCID,
              put_code: null,
              message: 'Duplicate of another DOI.',
            }),
          ],
          '/api/v1/admin/activity?page%5Bsize%5D=10&orcid=0000-0001-5109-3700&page%5Bbefore%5D=10',
        ),
    });
    renderWithProviders(<App />, { route });

    const activity = await screen.findByRole('region', { name: 'Activity in this ORCID record' });
    const [failed, removed, skipped] = (await within(activity).findAllByRole('listitem')) as [HTMLElement, HTMLElement, HTMLElement];
    expect(failed).toHaveTextContent('Failed');
    expect(failed).toHaveTextContent(
      'Error: ORCID refused the request (HTTP 400): The client application sent a bad request to ORCID.',
    );
    expect(within(failed).getByText('orcid_rejected', { selector: 'code' })).toBeInTheDocument();
    expect(failed).toHaveTextContent('ORCID answered HTTP 400');
    expect(failed).toHaveTextContent('10.5555/fail-0001 · Auto-Update');
    expect(removed).toHaveTextContent('Removed');
    expect(removed).toHaveTextContent('Reconcile · put-code 1001');
    expect(skipped).toHaveTextContent(`Administrator by ${ORCID}`);
    expect(within(skipped).getByRole('link', { name: ORCID })).toHaveAttribute('href', `/settings/admin/accounts/${ORCID}`);
    expect(activity).toHaveTextContent('The latest 10 entries.');
    const query = searchParams(api.callsTo('GET', '/api/v1/admin/activity')[0]);
    expect(query.get('orcid')).toBe(OTHER_ORCID);
    expect(query.get('page[size]')).toBe('10');
    await expectNoAxeViolations();
  });

  it('says when Profiles has done nothing in the record yet', async () => {
    mockApi(adminHandlers('staff_admin'));
    renderWithProviders(<App />, { route });

    const activity = await screen.findByRole('region', { name: 'Activity in this ORCID record' });
    expect(
      await within(activity).findByText('Profiles has not changed or tried anything in this ORCID record yet.'),
    ).toBeInTheDocument();
  });

  it('puts a refusal of the activity in words', async () => {
    mockApi(adminHandlers('staff_admin'), {
      'GET /api/v1/admin/activity': () => problem(403, 'forbidden', 'Only DataCite staff may read the activity log.'),
    });
    renderWithProviders(<App />, { route });

    const activity = await screen.findByRole('region', { name: 'Activity in this ORCID record' });
    expect(await within(activity).findByRole('alert')).toHaveTextContent(
      'Could not load the activity in this ORCID record. Only DataCite staff may read the activity log.',
    );
  });

  it('says so when there is no such account', async () => {
    mockApi(adminHandlers(), {
      'GET /api/v1/admin/accounts/{orcid}': () =>
        problem(404, 'account_not_found', 'There is no account with this ORCID iD that you may see.'),
    });
    renderWithProviders(<App />, { route });

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not load the account. There is no account with this ORCID iD that you may see.',
    );
    expect(screen.getByRole('link', { name: 'Back to account search' })).toHaveAttribute('href', '/settings/admin');
  });

  it('goes back to the search it came from', async () => {
    mockApi(adminHandlers());
    const { user } = renderWithProviders(<App />, { route: '/settings/admin?q=haak&role=user' });

    await user.click(await screen.findByRole('link', { name: 'Laure Haak' }));

    expect(await screen.findByRole('heading', { level: 2, name: 'Laure Haak' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Back to account search' })).toHaveAttribute(
      'href',
      '/settings/admin?q=haak&role=user',
    );
  });
});

describe('admin: claims search', () => {
  it('searches everyone’s claims by DOI, ORCID iD, error and state', async () => {
    const api = mockApi(adminHandlers());
    const { user } = renderWithProviders(<App />, { route: '/settings/admin' });
    await user.click(await screen.findByRole('link', { name: 'Search all claims' }));

    const form = await screen.findByRole('form', { name: 'Search claims' });
    await user.type(within(form).getByLabelText('DOI'), '10.5555/fail-0001');
    await user.type(within(form).getByLabelText('ORCID iD'), OTHER_ORCID);
    await user.type(within(form).getByLabelText('Error'), 'orcid_unavailable');
    await user.click(within(form).getByRole('button', { name: 'Search' }));
    await user.selectOptions(screen.getByLabelText('State'), 'failed');

    await waitFor(() => {
      const params = searchParams(lastCall(api.callsTo('GET', '/api/v1/claims')));
      expect(Object.fromEntries(params)).toEqual({
        doi: '10.5555/fail-0001',
        orcid: OTHER_ORCID,
        error: 'orcid_unavailable',
        state: 'failed',
        'page[number]': '1',
      });
    });
    const claims = screen.getByRole('region', { name: 'Claims' });
    expect(await within(claims).findAllByRole('link', { name: OTHER_ORCID })).toHaveLength(2);
    await expectNoAxeViolations();
  });
});
