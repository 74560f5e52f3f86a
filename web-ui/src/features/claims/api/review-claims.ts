import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import { ME_KEY } from '../../../api/query-keys';
import type { components } from '../../../api/schema';
import type { Claim } from '../../../lib/claims';

export type ReviewDecision = components['schemas']['ReviewDecision'];

/**
 * `POST /api/v1/claims/{id}/approve`: a claim Auto-Update holds for your approval goes to your
 * ORCID record. 409 `claim_not_reviewable` when it waits for no approval (any longer).
 */
export async function approveClaim(id: string): Promise<Claim> {
  const { data, error, response } = await api.POST('/api/v1/claims/{id}/approve', { params: { path: { id } } });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

/** `POST /api/v1/auto-update/review`: approve or dismiss every claim waiting (or those listed). */
export async function reviewClaims(decision: ReviewDecision): Promise<number> {
  const { data, error, response } = await api.POST('/api/v1/auto-update/review', { body: decision });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data.changed;
}

// Everything under ['me']: the claims, their counts, and the exclusions a dismissal adds.
export function useApproveClaim() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: approveClaim,
    onSettled: () => queryClient.invalidateQueries({ queryKey: ME_KEY }),
  });
}

export function useReviewClaims() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: reviewClaims,
    onSettled: () => queryClient.invalidateQueries({ queryKey: ME_KEY }),
  });
}
