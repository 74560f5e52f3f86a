import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import type { components } from '../../../api/schema';
import { ADMIN_KEY } from './keys';

export type AdminAccountDetail = components['schemas']['AdminAccountDetail'];

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
