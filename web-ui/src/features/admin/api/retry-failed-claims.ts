import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import type { components } from '../../../api/schema';
import { ADMIN_KEY } from './keys';

export type RetryFailed = components['schemas']['RetryFailed'];

/** `POST /api/v1/admin/claims/retry-failed`: re-queues every failed claim matching the filter. */
export async function retryFailed(body: RetryFailed): Promise<number> {
  const { data, error, response } = await api.POST('/api/v1/admin/claims/retry-failed', { body });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data.requeued;
}

export function useRetryFailed() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: retryFailed,
    // The claims, the account's counts and the audit list all changed.
    onSettled: () => queryClient.invalidateQueries({ queryKey: ADMIN_KEY }),
  });
}
