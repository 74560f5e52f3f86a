import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import type { Claim } from '../../../lib/claims';
import { CLAIMS_KEY } from './keys';

/** `POST /api/v1/claims/{id}/retry`: re-queues a failed, skipped or waiting claim; 409 otherwise. */
export async function retryClaim(id: string): Promise<Claim> {
  const { data, error, response } = await api.POST('/api/v1/claims/{id}/retry', { params: { path: { id } } });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

export function useRetryClaim() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: retryClaim,
    onSettled: () => queryClient.invalidateQueries({ queryKey: CLAIMS_KEY }),
  });
}
