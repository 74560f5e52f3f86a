import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../../App';
import type { components } from '../../api/schema';
import { mockApi, problem, type Call, type Handlers } from '../../test/api';
import { expectNoAxeViolations } from '../../test/axe';
import {
  account,
  activityList,
  adminAccountDetail,
  auditEntry,
  claimList,
  notification,
  notificationList,
  notificationSummary,
  ORCID,
  OTHER_ORCID,
  signedInHandlers,
} from '../../test/fixtures';
import { renderWithProviders } from '../../test/render';

type Role = components['schemas']['Role'];

const THIRD_ORCID = '0000-0003-1419-2405';

/**
 * Five requests: granted through; refused by ORCID (a locked record); a person who takes no
 * notifications; our client not allowed to send them; never accepted within a day.
 */
const history = () => [
  notification(),
  notification({
    id: 'n2',
    orcid: THIRD_ORCID,
    status: 'failed',
    answer: 'record_locked',
    orcid_status: 409,
    message: 'The record is locked.',
    put_code: null,
    sent_at: null,
    read_at: null,
    actioned_at: null,
    granted_at: null,
    attempts: 3,
    works: [
      { doi: '10.5555/sea-ice', title: 'Sea ice thickness 2019' },
      { doi: '10.5555/untitled', title: null },
    ],
  }),
  notification({
    id: 'n3',
    orcid: ORCID,
    status: 'refused',
    answer: 'notifications_disabled',
    put_code: null,
    sent_at: null,
    read_at: null,
    actioned_at: null,
    granted_at: null,
  }),
  notification({
    id: 'n4',
    status: 'failed',
    answer: 'not_permitted',
    orcid_status: 403,
    put_code: null,
    sent_at: null,
    read_at: null,
    actioned_at: null,
    granted_at: null,
  }),
  notification({
    id: 'n5',
    status: 'failed',
    answer: 'unavailable',
    put_code: null,
    sent_at: null,
    read_at: null,
    actioned_at: null,
    granted_at: null,
  }),
];

function staffHandlers(role: Role = 'staff_user'): Handlers {
  return {
    ...signedInHandlers(),
    'GET /api/v1/accounts/me': () => account({ role }),
    'GET /api/v1/admin/accounts': () => ({
      data: [],
      meta: { total: 0, page: 1, page_size: 25, total_pages: 0, roles: {}, created_years: {} },
    }),
    'GET /api/v1/admin/accounts/{orcid}': () => adminAccountDetail(),
    'GET /api/v1/admin/audit': () => [auditEntry()],
    'GET /api/v1/admin/activity': () => activityList([]),
    'GET /api/v1/claims': () => claimList([]),
    'GET /api/v1/admin/notifications/summary': () => notificationSummary(),
    'GET /api/v1/admin/notifications': () => notificationList(history()),
  };
}

const searchParams = (call: Call | undefined) => Object.fromEntries(new URLSearchParams(call?.search ?? ''));
const lastCall = (calls: Call[]) => calls[calls.length - 1];
const factOf = (box: HTMLElement, term: string | RegExp) =>
  within(box).getByText(term, { selector: 'dt' }).nextElementSibling;

describe('admin: ORCID inbox', () => {
  const route = '/settings/admin/notifications';

  it('is linked from Admin for staff, with the figures and the conversion as a percentage', async () => {
    mockApi(staffHandlers());
    const { user } = renderWithProviders(<App />, { route: '/settings/admin' });
    await user.click(await screen.findByRole('link', { name: 'ORCID inbox' }));

    expect(await screen.findByRole('heading', { level: 2, name: 'ORCID inbox' })).toBeInTheDocument();
    const figures = await screen.findByRole('region', { name: 'Figures' });
    await within(figures).findByText('People notified');
    expect(figures).toHaveTextContent('Notifications are on');
    expect(factOf(figures, 'People notified')).toHaveTextContent('8');
    expect(factOf(figures, 'Granted Auto-Update since')).toHaveTextContent('2');
    expect(factOf(figures, 'Conversion')?.textContent.replace(/\s/g, '')).toBe('25%');
    expect(factOf(figures, 'Claims waiting for a permission')).toHaveTextContent('12');
    expect(factOf(figures, 'Claims expired waiting')).toHaveTextContent('3');
    // Every status, those with none too.
    expect(factOf(figures, 'Sent')).toHaveTextContent('7');
    expect(factOf(figures, 'Failed')).toHaveTextContent('1');
    expect(factOf(figures, 'Pending')).toHaveTextContent('0');
    expect(factOf(figures, 'Refused')).toHaveTextContent('0');
    expect(factOf(figures, 'ORCID accepted it')).toHaveTextContent('7');
    expect(factOf(figures, /ORCID refused our request/)).toHaveTextContent('1');
    expect(within(figures).getByText('record_locked', { selector: 'code' })).toBeInTheDocument();
    await expectNoAxeViolations();
  });

  it('says how operators turn notifications on while they are off', async () => {
    mockApi(staffHandlers(), {
      'GET /api/v1/admin/notifications/summary': () =>
        notificationSummary({ enabled: false, people_notified: 0, people_granted: 0, conversion: 0, by_status: {}, by_answer: {} }),
    });
    renderWithProviders(<App />, { route });

    const figures = await screen.findByRole('region', { name: 'Figures' });
    const off = await within(figures).findByText(/Notifications are off/);
    expect(off).toHaveTextContent(
      'To turn them on, an operator sets ORCID_NOTIFICATIONS=on, with an ORCID member client that is allowed /premium-notification.',
    );
    expect(within(off).getByText('ORCID_NOTIFICATIONS=on', { selector: 'code' })).toBeInTheDocument();
    expect(factOf(figures, 'Conversion')?.textContent.replace(/\s/g, '')).toBe('0%');
    expect(figures).toHaveTextContent('ORCID has not answered any request yet.');
  });

  it('lists the history: whose inbox, status, ORCID’s answer in words, the dates, the put-code and the works', async () => {
    mockApi(staffHandlers());
    renderWithProviders(<App />, { route });

    const history = await screen.findByRole('region', { name: 'Notifications' });
    const list = await within(history).findByRole('list', { name: 'Notifications' });
    const rows = within(list).getAllByRole('listitem').filter((li) => li.parentElement === list);
    const [granted, locked, disabled, notPermitted, unavailable] = rows as [
      HTMLElement,
      HTMLElement,
      HTMLElement,
      HTMLElement,
      HTMLElement,
    ];
    expect(history).toHaveTextContent('5 notifications');

    expect(within(granted).getByRole('link', { name: OTHER_ORCID })).toHaveAttribute(
      'href',
      `/settings/admin/accounts/${OTHER_ORCID}`,
    );
    expect(within(granted).getByText('Sent', { selector: '.pill' })).toHaveClass('pill--success');
    expect(granted).toHaveTextContent('ORCID accepted it · put-code 4711 · 1 attempt');
    for (const term of ['Sent', 'Read', 'Clicked “Grant permission”', 'Granted Auto-Update', 'Link works until']) {
      expect(within(granted).getByText(term, { selector: 'dt' }).nextElementSibling?.querySelector('time')).not.toBeNull();
    }
    expect(within(granted).queryByText('Archived', { selector: 'dt' })).not.toBeInTheDocument();
    expect(within(granted).getByText('Granted Auto-Update', { selector: 'dt' }).nextElementSibling?.querySelector('time')).toHaveAttribute(
      'dateTime',
      '2025-03-02T09:02:00Z',
    );
    expect(granted).toHaveTextContent('1 work named');
    expect(within(granted).getByRole('link', { name: '10.5555/k4s2-v7q8' })).toHaveAttribute(
      'href',
      'https://doi.org/10.5555/k4s2-v7q8',
    );
    expect(granted).toHaveTextContent('10.5555/k4s2-v7q8 · Glacier melt measurements, Svalbard');

    expect(within(locked).getByText('Failed', { selector: '.pill' })).toHaveClass('pill--danger');
    expect(locked).toHaveTextContent('ORCID refused our request record_locked');
    expect(locked).toHaveTextContent('ORCID answered HTTP 409: The record is locked.');
    expect(locked).toHaveTextContent('it may be sent again after the period');
    expect(within(locked).getByText('Sent', { selector: 'dt' }).nextElementSibling).toHaveTextContent('Not yet');
    expect(locked).toHaveTextContent('3 attempts');
    expect(locked).toHaveTextContent('2 works named');
    expect(within(locked).getByRole('link', { name: '10.5555/untitled' })).toHaveAttribute(
      'href',
      'https://doi.org/10.5555/untitled',
    );

    expect(disabled).toHaveTextContent('The person does not accept notifications');
    expect(disabled).toHaveTextContent('never sent again');
    expect(notPermitted).toHaveTextContent('Our ORCID client may not send notifications');
    expect(unavailable).toHaveTextContent('ORCID did not accept it within a day');
    await expectNoAxeViolations();
  });

  it('searches by iD and filters by status, in pages', async () => {
    const api = mockApi(staffHandlers(), {
      'GET /api/v1/admin/notifications': () => notificationList(history(), { total: 60 }),
    });
    const { user } = renderWithProviders(<App />, { route });

    const box = await screen.findByRole('region', { name: 'Notifications' });
    await within(box).findByRole('list', { name: 'Notifications' });
    expect(searchParams(api.callsTo('GET', '/api/v1/admin/notifications')[0])).toEqual({
      'page[number]': '1',
      'page[size]': '25',
    });

    const form = within(box).getByRole('form', { name: 'Search notifications' });
    await user.type(within(form).getByLabelText('ORCID iD'), ` ${THIRD_ORCID} `);
    await user.click(within(form).getByRole('button', { name: 'Search' }));
    await user.selectOptions(within(box).getByLabelText('Status'), 'failed');
    await waitFor(() => {
      expect(searchParams(lastCall(api.callsTo('GET', '/api/v1/admin/notifications')))).toEqual({
        orcid: THIRD_ORCID,
        status: 'failed',
        'page[number]': '1',
        'page[size]': '25',
      });
    });

    const pages = within(box).getByRole('navigation', { name: 'Notifications pages' });
    expect(pages).toHaveTextContent('Page 1 of 3');
    await user.click(within(pages).getByRole('button', { name: 'Next' }));
    await waitFor(() => {
      expect(searchParams(lastCall(api.callsTo('GET', '/api/v1/admin/notifications')))).toMatchObject({
        orcid: THIRD_ORCID,
        status: 'failed',
        'page[number]': '2',
      });
    });
  });

  it('puts the API’s refusal of an iD in words, and says when nothing matches', async () => {
    const api = mockApi(staffHandlers(), {
      'GET /api/v1/admin/notifications': ({ url }) =>
        url.searchParams.get('orcid') === 'nope'
          ? problem(422, 'invalid_orcid', 'orcid is not an ORCID iD.')
          : notificationList([]),
    });
    const { user } = renderWithProviders(<App />, { route });

    const box = await screen.findByRole('region', { name: 'Notifications' });
    expect(
      await within(box).findByText('Profiles has not sent any permission request to an ORCID inbox yet.'),
    ).toBeInTheDocument();
    await user.type(within(box).getByLabelText('ORCID iD'), 'nope');
    await user.click(within(box).getByRole('button', { name: 'Search' }));
    expect(await within(box).findByRole('alert')).toHaveTextContent(
      'Could not load the notifications. orcid is not an ORCID iD.',
    );

    await user.clear(within(box).getByLabelText('ORCID iD'));
    await user.click(within(box).getByRole('button', { name: 'Search' }));
    await user.selectOptions(within(box).getByLabelText('Status'), 'refused');
    expect(await within(box).findByText('No notifications match these filters.')).toBeInTheDocument();
    expect(searchParams(lastCall(api.callsTo('GET', '/api/v1/admin/notifications'))).status).toBe('refused');
  });

  it('is for staff only: others are told so and nothing is asked', async () => {
    const api = mockApi(staffHandlers('provider_admin'));
    const { unmount } = renderWithProviders(<App />, { route: '/settings/admin' });
    expect(await screen.findByRole('heading', { level: 2, name: 'Admin' })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'ORCID inbox' })).not.toBeInTheDocument();
    unmount();

    renderWithProviders(<App />, { route });
    expect(await screen.findByText('The ORCID inbox notifications are for DataCite staff.')).toBeInTheDocument();
    expect(api.callsTo('GET', '/api/v1/admin/notifications')).toHaveLength(0);
    expect(api.callsTo('GET', '/api/v1/admin/notifications/summary')).toHaveLength(0);
  });
});

describe('admin: one account’s ORCID inbox', () => {
  const route = `/settings/admin/accounts/${OTHER_ORCID}`;

  it('shows staff the person’s notifications, asked for by their iD', async () => {
    const api = mockApi(staffHandlers(), {
      'GET /api/v1/admin/notifications': () => notificationList([notification()]),
    });
    renderWithProviders(<App />, { route });

    const box = await screen.findByRole('region', { name: 'ORCID inbox notifications' });
    const list = await within(box).findByRole('list', { name: 'ORCID inbox notifications' });
    const [row] = within(list).getAllByRole('listitem') as [HTMLElement];
    expect(row).toHaveTextContent('Created');
    expect(row).toHaveTextContent('ORCID accepted it · put-code 4711');
    // Their own page: no link to it, and no iD search.
    expect(within(row).queryByRole('link', { name: OTHER_ORCID })).not.toBeInTheDocument();
    expect(within(box).queryByRole('form', { name: 'Search notifications' })).not.toBeInTheDocument();
    expect(searchParams(api.callsTo('GET', '/api/v1/admin/notifications')[0])).toMatchObject({ orcid: OTHER_ORCID });
    await expectNoAxeViolations();
  });

  it('says when the person was never asked', async () => {
    mockApi(staffHandlers(), { 'GET /api/v1/admin/notifications': () => notificationList([]) });
    renderWithProviders(<App />, { route });

    const box = await screen.findByRole('region', { name: 'ORCID inbox notifications' });
    expect(await within(box).findByText('Profiles has not asked this person in their ORCID inbox.')).toBeInTheDocument();
  });

  it('is not shown to a provider admin', async () => {
    const api = mockApi(staffHandlers('provider_admin'));
    renderWithProviders(<App />, { route });

    expect(await screen.findByRole('heading', { level: 2, name: 'Laure Haak' })).toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'ORCID inbox notifications' })).not.toBeInTheDocument();
    expect(api.callsTo('GET', '/api/v1/admin/notifications')).toHaveLength(0);
  });
});
