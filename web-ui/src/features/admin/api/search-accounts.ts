import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import type { components } from '../../../api/schema';
import { ADMIN_KEY } from './keys';

export type AdminAccountList = components['schemas']['AdminAccountList'];
export type AdminAccountSummary = components['schemas']['AdminAccountSummary'];

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
