import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import type { Claim } from '../../../lib/claims';
import { ADMIN_KEY } from './keys';

/** `POST /api/v1/admin/claims/{id}/requeue`: through processing again, its error cleared. */
export async function requeueClaim(id: string): Promise<Claim> {
  const { data, error, response } = await api.POST('/api/v1/admin/claims/{id}/requeue', {
    params: { path: { id } },
  });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

export function useRequeueClaim() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: requeueClaim,
    // The claims, the account's counts and the audit list all changed.
    onSettled: () => queryClient.invalidateQueries({ queryKey: ADMIN_KEY }),
  });
}
