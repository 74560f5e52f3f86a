import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import { apiTokensQueryOptions } from './get-api-tokens';

/** `DELETE /api/v1/accounts/me/tokens/{id}`: the token stops working at once. */
export async function revokeApiToken(id: string): Promise<void> {
  const { error, response } = await api.DELETE('/api/v1/accounts/me/tokens/{id}', { params: { path: { id } } });
  if (!response.ok) throw apiError(response, error);
}

export function useRevokeApiToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: revokeApiToken,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: apiTokensQueryOptions().queryKey }),
  });
}
