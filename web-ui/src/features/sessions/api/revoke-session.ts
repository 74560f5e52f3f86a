import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import { ME_KEY } from '../../../api/query-keys';

/** `DELETE /api/v1/accounts/me/sessions/{id}`: signs that browser out. */
export async function revokeSession(id: string): Promise<void> {
  const { error, response } = await api.DELETE('/api/v1/accounts/me/sessions/{id}', {
    params: { path: { id } },
  });
  if (!response.ok) throw apiError(response, error);
}

export function useRevokeSession() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: revokeSession,
    // The session list, and "Apps with access": a session's end ends its sign-ins to apps.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ME_KEY }),
  });
}
