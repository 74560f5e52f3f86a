import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import type { Claim } from '../../../lib/claims';
import { ADMIN_KEY } from './keys';

/** `POST /api/v1/admin/claims/{id}/ignore`: stops trying; the reason is shown to the person. */
export async function ignoreClaim({ id, reason }: { id: string; reason: string }): Promise<Claim> {
  const { data, error, response } = await api.POST('/api/v1/admin/claims/{id}/ignore', {
    params: { path: { id } },
    body: { reason },
  });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

export function useIgnoreClaim() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ignoreClaim,
    // The claims, the account's counts and the audit list all changed.
    onSettled: () => queryClient.invalidateQueries({ queryKey: ADMIN_KEY }),
  });
}
