import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import type { Claim } from '../../../lib/claims';
import { claimQueryOptions } from './get-claim';
import { CLAIMS_KEY } from './keys';

/**
 * `POST /api/v1/claims/{id}/dismiss`: sets aside one of your failed claims, asking nothing of ORCID;
 * it answers the claim, now `ignored` with a `skip_reason` beginning "Dismissed". 409
 * `claim_not_ignorable` for a claim that has not failed.
 */
export async function dismissClaim(id: string): Promise<Claim> {
  const { data, error, response } = await api.POST('/api/v1/claims/{id}/dismiss', { params: { path: { id } } });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

export function useDismissClaim() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: dismissClaim,
    // The answer is the claim as a row on the Search & Link page asks for it (its skip reason says
    // it was dismissed): kept, so the row says "Dismissed" as soon as the works list has it ignored.
    onSuccess: (claim) => {
      queryClient.setQueryData(claimQueryOptions(claim.id).queryKey, claim);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: CLAIMS_KEY }),
  });
}
