import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import type { components } from '../../../api/schema';
import { pollStats } from '../../../lib/claims';
import { CLAIMS_KEY } from './keys';

export type ClaimStats = components['schemas']['ClaimStats'];

/** `GET /api/v1/accounts/me/claims/stats`: counts by source and state, and the last DOI added. */
export async function getClaimStats(signal?: AbortSignal): Promise<ClaimStats> {
  const { data, error, response } = await api.GET('/api/v1/accounts/me/claims/stats', { signal });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

export const claimStatsQueryOptions = () =>
  queryOptions({
    queryKey: [...CLAIMS_KEY, 'stats'],
    queryFn: ({ signal }) => getClaimStats(signal),
    // While claims are queued or in progress, so the counts move as they settle.
    refetchInterval: pollStats,
  });

export const useClaimStats = () => useQuery(claimStatsQueryOptions());
