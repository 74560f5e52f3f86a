import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import { pollClaims, type ClaimList, type ClaimSource, type ClaimState } from '../../../lib/claims';
import { CLAIMS_KEY } from './keys';

export interface ClaimsFilter {
  /** One state, or undefined for all. */
  state?: ClaimState | undefined;
  /** One source, or undefined for both. */
  source?: ClaimSource | undefined;
  /** From 1. */
  page: number;
}

/** `GET /api/v1/claims`: one page of your claims, newest first. */
export async function getClaims({ state, source, page }: ClaimsFilter, signal?: AbortSignal): Promise<ClaimList> {
  const { data, error, response } = await api.GET('/api/v1/claims', {
    params: { query: { state, source, 'page[number]': page } },
    signal,
  });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

export const claimsQueryOptions = (filter: ClaimsFilter) =>
  queryOptions({
    queryKey: [...CLAIMS_KEY, 'list', filter],
    queryFn: ({ signal }) => getClaims(filter, signal),
    // Keep showing the current page while the next one loads.
    placeholderData: keepPreviousData,
    // A claim shown as queued or in progress settles within seconds: ask again until none is.
    refetchInterval: pollClaims,
  });

export const useClaims = (filter: ClaimsFilter) => useQuery(claimsQueryOptions(filter));
