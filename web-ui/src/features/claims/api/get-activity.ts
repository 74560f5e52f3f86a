import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import { nextActivityPage, type ActivityAction, type ActivityList } from '../../../lib/claims';
import { CLAIMS_KEY } from './keys';

export interface ActivityFilter {
  /** One action, or undefined for every action. */
  action?: ActivityAction | undefined;
}

/**
 * `GET /api/v1/accounts/me/activity`: one page of what Profiles did, or tried, in your ORCID
 * record, newest first; `before` (the `page[before]` of `links.next`) for the older ones.
 */
export async function getActivity(
  { action }: ActivityFilter,
  before: number | undefined,
  signal?: AbortSignal,
): Promise<ActivityList> {
  const { data, error, response } = await api.GET('/api/v1/accounts/me/activity', {
    params: { query: { action, 'page[before]': before } },
    signal,
  });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

/**
 * The pages shown so far, newest first, each older one added by "Show older". Under the claims key:
 * adding, retrying or removing a claim, and checking the record, refresh it.
 */
export const activityQueryOptions = (filter: ActivityFilter) =>
  infiniteQueryOptions({
    queryKey: [...CLAIMS_KEY, 'activity', filter],
    queryFn: ({ pageParam, signal }) => getActivity(filter, pageParam, signal),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => nextActivityPage(last),
  });

export const useActivity = (filter: ActivityFilter) => useInfiniteQuery(activityQueryOptions(filter));
