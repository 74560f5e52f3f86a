import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import type { Claim } from '../../../lib/claims';
import { CLAIMS_KEY } from './keys';

/** `POST /api/v1/claims`: queues the DOI for your ORCID record (Search & Link). */
export async function createClaim(doi: string): Promise<Claim> {
  const { data, error, response } = await api.POST('/api/v1/claims', { body: { doi } });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

/** `POST /api/v1/claims/{id}/retry`: re-queues a failed, skipped or waiting claim; 409 otherwise. */
export async function retryClaim(id: string): Promise<Claim> {
  const { data, error, response } = await api.POST('/api/v1/claims/{id}/retry', { params: { path: { id } } });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

/** `DELETE /api/v1/claims/{id}`: queues the removal of the work from your ORCID record. */
export async function removeClaim(id: string): Promise<Claim> {
  const { data, error, response } = await api.DELETE('/api/v1/claims/{id}', { params: { path: { id } } });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

function useClaimMutation<T>(mutationFn: (variables: T) => Promise<Claim>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn,
    onSettled: () => queryClient.invalidateQueries({ queryKey: CLAIMS_KEY }),
  });
}

export const useCreateClaim = () => useClaimMutation(createClaim);
export const useRetryClaim = () => useClaimMutation(retryClaim);
export const useRemoveClaim = () => useClaimMutation(removeClaim);
