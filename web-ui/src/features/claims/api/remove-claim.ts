import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import type { Claim } from '../../../lib/claims';
import { CLAIMS_KEY } from './keys';

/** `DELETE /api/v1/claims/{id}`: queues the removal of the work from your ORCID record. */
export async function removeClaim(id: string): Promise<Claim> {
  const { data, error, response } = await api.DELETE('/api/v1/claims/{id}', { params: { path: { id } } });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

export function useRemoveClaim() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: removeClaim,
    onSettled: () => queryClient.invalidateQueries({ queryKey: CLAIMS_KEY }),
  });
}
