import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import { ADMIN_KEY } from './keys';

/**
 * `DELETE /api/v1/admin/clients/{client_id}`: the application signs nobody in any more; everyone
 * signed in through it is signed out of it, and every token it holds stops working. Audited.
 */
export async function removeClient(clientId: string): Promise<void> {
  const { error, response } = await api.DELETE('/api/v1/admin/clients/{client_id}', {
    params: { path: { client_id: clientId } },
  });
  if (!response.ok) throw apiError(response, error);
}

export function useRemoveClient() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: removeClient,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ADMIN_KEY }),
  });
}
