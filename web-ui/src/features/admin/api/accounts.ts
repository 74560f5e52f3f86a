import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import type { components } from '../../../api/schema';
import { ADMIN_KEY } from './keys';

export type AdminAccountList = components['schemas']['AdminAccountList'];
export type AdminAccountSummary = components['schemas']['AdminAccountSummary'];
export type AdminAccountDetail = components['schemas']['AdminAccountDetail'];
export type AdminAccountUpdate = components['schemas']['AdminAccountUpdate'];

export interface AccountSearch {
  /** Name, ORCID iD or email; empty for all. */
  q: string;
  /** A role, or empty for all. */
  role: string;
  /** A year the account was created, or undefined for any. */
  createdYear?: number | undefined;
  /** From 1. */
  page: number;
}

/** `GET /api/v1/admin/accounts`: one page of the accounts the caller may see, with counts per filter value. */
export async function searchAccounts(search: AccountSearch, signal?: AbortSignal): Promise<AdminAccountList> {
  const { data, error, response } = await api.GET('/api/v1/admin/accounts', {
    params: {
      query: {
        q: search.q || undefined,
        role: search.role || undefined,
        created_year: search.createdYear,
        'page[number]': search.page,
      },
    },
    signal,
  });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

export const accountSearchQueryOptions = (search: AccountSearch) =>
  queryOptions({
    queryKey: [...ADMIN_KEY, 'accounts', 'search', search],
    queryFn: ({ signal }) => searchAccounts(search, signal),
    // Keep the current page on screen while the next one loads.
    placeholderData: keepPreviousData,
  });

export const useAccountSearch = (search: AccountSearch) => useQuery(accountSearchQueryOptions(search));

/** `GET /api/v1/admin/accounts/{orcid}`: identities, permission health and claim counts. */
export async function getAdminAccount(orcid: string, signal?: AbortSignal): Promise<AdminAccountDetail> {
  const { data, error, response } = await api.GET('/api/v1/admin/accounts/{orcid}', {
    params: { path: { orcid } },
    signal,
  });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

export const adminAccountQueryOptions = (orcid: string) =>
  queryOptions({
    queryKey: [...ADMIN_KEY, 'accounts', 'one', orcid],
    queryFn: ({ signal }) => getAdminAccount(orcid, signal),
  });

export const useAdminAccount = (orcid: string) => useQuery(adminAccountQueryOptions(orcid));

/** `PATCH /api/v1/admin/accounts/{orcid}`: role (staff admins, never their own) and flags. Audited. */
export async function updateAdminAccount(orcid: string, body: AdminAccountUpdate): Promise<AdminAccountDetail> {
  const { data, error, response } = await api.PATCH('/api/v1/admin/accounts/{orcid}', {
    params: { path: { orcid } },
    body,
  });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

export function useUpdateAdminAccount(orcid: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: AdminAccountUpdate) => updateAdminAccount(orcid, body),
    onSuccess: async (detail) => {
      queryClient.setQueryData(adminAccountQueryOptions(orcid).queryKey, detail);
      // The search's role counts and the audit list changed too.
      await queryClient.invalidateQueries({ queryKey: ADMIN_KEY });
    },
  });
}
