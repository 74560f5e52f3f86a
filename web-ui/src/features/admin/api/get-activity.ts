import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import type { ActivityList } from '../../../lib/claims';
import { ADMIN_KEY } from './keys';

export interface AdminActivityFilter {
  /** This person's record. */
  orcid: string;
  /** The latest this many entries. */
  size: number;
}

/** `GET /api/v1/admin/activity?orcid=`: what Profiles did in one person's ORCID record, newest first. Staff only. */
export async function getAdminActivity({ orcid, size }: AdminActivityFilter, signal?: AbortSignal): Promise<ActivityList> {
  const { data, error, response } = await api.GET('/api/v1/admin/activity', {
    params: { query: { orcid, 'page[size]': size } },
    signal,
  });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

/** Under the admin key: a requeue, an ignore or a retry refreshes it with the claims. */
export const adminActivityQueryOptions = (filter: AdminActivityFilter) =>
  queryOptions({
    queryKey: [...ADMIN_KEY, 'activity', filter],
    queryFn: ({ signal }) => getAdminActivity(filter, signal),
  });

export const useAdminActivity = (filter: AdminActivityFilter) => useQuery(adminActivityQueryOptions(filter));
