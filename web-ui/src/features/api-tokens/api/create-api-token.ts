import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import type { components } from '../../../api/schema';
import { apiTokensQueryOptions } from './get-api-tokens';

export type CreatedApiToken = components['schemas']['CreatedApiToken'];
export type NewApiToken = components['schemas']['NewApiToken'];

/** `POST /api/v1/accounts/me/tokens`: a new token; the answer carries its secret, this once. */
export async function createApiToken(body: NewApiToken): Promise<CreatedApiToken> {
  const { data, error, response } = await api.POST('/api/v1/accounts/me/tokens', { body });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

/**
 * Creates a token. The caller takes the secret out of `onSuccess` and calls `reset()`, so it is
 * kept in one component's state only, never in a cache.
 */
export function useCreateApiToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createApiToken,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: apiTokensQueryOptions().queryKey }),
  });
}
