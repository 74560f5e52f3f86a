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

export function useCreateClaim() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createClaim,
    onSettled: () => queryClient.invalidateQueries({ queryKey: CLAIMS_KEY }),
  });
}
