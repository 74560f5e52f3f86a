import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import type { Claim, ClaimSource } from '../../../lib/claims';
import { CLAIMS_KEY } from './keys';

export interface NewClaim {
  doi: string;
  /** Left out: Search & Link. "Add again" sends the removed claim's own source. */
  source?: ClaimSource;
}

/**
 * `POST /api/v1/claims`: queues the DOI for your ORCID record (idempotent: a removed, failed or
 * skipped claim for it is queued again).
 */
export async function createClaim(claim: NewClaim): Promise<Claim> {
  const { data, error, response } = await api.POST('/api/v1/claims', { body: claim });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

export function useCreateClaim() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createClaim,
    // Returned, so the caller's own onSuccess runs once the lists show the claim.
    onSettled: () => queryClient.invalidateQueries({ queryKey: CLAIMS_KEY }),
  });
}
