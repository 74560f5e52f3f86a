import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import { ME_KEY } from '../../../api/query-keys';
import type { Identity } from './get-identities';

/**
 * `DELETE /api/v1/accounts/me/identities/orcid/token`: expires the stored ORCID sign-in token.
 * Signing in with ORCID again gets a fresh one.
 */
export async function expireOrcidToken(): Promise<Identity> {
  const { data, error, response } = await api.DELETE('/api/v1/accounts/me/identities/orcid/token');
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

export function useExpireOrcidToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: expireOrcidToken,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ME_KEY }),
  });
}
