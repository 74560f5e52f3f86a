import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import { ME_KEY } from '../../../api/query-keys';

/**
 * `DELETE /api/v1/accounts/me/apps/{client_id}`: takes back the person's agreement and ends every
 * sign-in of theirs to the app (its tokens stop working at once, and it is told). It asks again
 * the next time they sign in to it.
 */
export async function revokeApp(clientId: string): Promise<void> {
  const { error, response } = await api.DELETE('/api/v1/accounts/me/apps/{client_id}', {
    params: { path: { client_id: clientId } },
  });
  if (!response.ok) throw apiError(response, error);
}

export function useRevokeApp() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: revokeApp,
    // The app leaves this list, and the sessions that signed in to it no longer name it.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ME_KEY }),
  });
}
