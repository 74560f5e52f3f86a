import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import { pollClaims, type ClaimList, type ClaimSource, type ClaimState } from '../../../lib/claims';
import { ADMIN_KEY } from './keys';

export interface AdminClaimsFilter {
  /** Whose claims; staff only. */
  orcid?: string | undefined;
  state?: ClaimState | undefined;
  source?: ClaimSource | undefined;
  /** An error code, or words in the error message. */
  error?: string | undefined;
  /** One DOI (any accepted form). */
  doi?: string | undefined;
  /** From 1. */
  page: number;
}

/** `GET /api/v1/claims` as staff: anyone's claims, by ORCID iD, DOI, state, source and error. */
export async function searchClaims(filter: AdminClaimsFilter, signal?: AbortSignal): Promise<ClaimList> {
  const { data, error, response } = await api.GET('/api/v1/claims', {
    params: {
      query: {
        orcid: filter.orcid,
        state: filter.state,
        source: filter.source,
        error: filter.error,
        doi: filter.doi,
        'page[number]': filter.page,
      },
    },
    signal,
  });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

export const adminClaimsQueryOptions = (filter: AdminClaimsFilter) =>
  queryOptions({
    queryKey: [...ADMIN_KEY, 'claims', filter],
    queryFn: ({ signal }) => searchClaims(filter, signal),
    placeholderData: keepPreviousData,
    // A requeued claim settles within seconds: ask again until none shown is in progress.
    refetchInterval: pollClaims,
  });

export const useAdminClaims = (filter: AdminClaimsFilter) => useQuery(adminClaimsQueryOptions(filter));
