import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import type { components } from '../../../api/schema';
import { pollClaims, type Claim, type ClaimList, type ClaimSource, type ClaimState } from '../../../lib/claims';
import { ADMIN_KEY } from './keys';

export type RetryFailed = components['schemas']['RetryFailed'];

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

/** `POST /api/v1/admin/claims/{id}/requeue`: through processing again, its error cleared. */
export async function requeueClaim(id: string): Promise<Claim> {
  const { data, error, response } = await api.POST('/api/v1/admin/claims/{id}/requeue', {
    params: { path: { id } },
  });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

/** `POST /api/v1/admin/claims/{id}/ignore`: stops trying; the reason is shown to the person. */
export async function ignoreClaim({ id, reason }: { id: string; reason: string }): Promise<Claim> {
  const { data, error, response } = await api.POST('/api/v1/admin/claims/{id}/ignore', {
    params: { path: { id } },
    body: { reason },
  });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

/** `POST /api/v1/admin/claims/retry-failed`: re-queues every failed claim matching the filter. */
export async function retryFailed(body: RetryFailed): Promise<number> {
  const { data, error, response } = await api.POST('/api/v1/admin/claims/retry-failed', { body });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data.requeued;
}

function useAdminClaimMutation<T, R>(mutationFn: (variables: T) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn,
    // The claims, the account's counts and the audit list all changed.
    onSettled: () => queryClient.invalidateQueries({ queryKey: ADMIN_KEY }),
  });
}

export const useRequeueClaim = () => useAdminClaimMutation(requeueClaim);
export const useIgnoreClaim = () => useAdminClaimMutation(ignoreClaim);
export const useRetryFailed = () => useAdminClaimMutation(retryFailed);
