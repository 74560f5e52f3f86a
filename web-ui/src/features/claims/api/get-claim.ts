import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import type { Claim } from '../../../lib/claims';
import { CLAIMS_KEY } from './keys';

/** `GET /api/v1/claims/{id}`: one of your claims, with its error or skip reason. */
export async function getClaim(id: string, signal?: AbortSignal): Promise<Claim> {
  const { data, error, response } = await api.GET('/api/v1/claims/{id}', { params: { path: { id } }, signal });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

export const claimQueryOptions = (id: string) =>
  queryOptions({
    queryKey: [...CLAIMS_KEY, 'claim', id],
    queryFn: ({ signal }) => getClaim(id, signal),
    // Asked for when a row's claim has just settled (failed, waiting, skipped): what is cached may
    // be from before, so each time it is shown again it is fetched again.
    staleTime: 0,
  });

/**
 * The claim behind a DOI on the Search & Link page, for what its row needs beyond the works list's
 * state: the error, or why it waits or was skipped. Only fetched while `enabled`.
 */
export const useClaim = (id: string, enabled: boolean) => useQuery({ ...claimQueryOptions(id), enabled });
