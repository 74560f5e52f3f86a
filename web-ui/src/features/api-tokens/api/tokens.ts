import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import { ME_KEY } from '../../../api/query-keys';
import type { components } from '../../../api/schema';

export type ApiToken = components['schemas']['ApiTokenView'];
export type CreatedApiToken = components['schemas']['CreatedApiToken'];
export type NewApiToken = components['schemas']['NewApiToken'];

/** `GET /api/v1/accounts/me/tokens`: your API tokens, newest first, revoked ones included. */
export async function getApiTokens(signal?: AbortSignal): Promise<ApiToken[]> {
  const { data, error, response } = await api.GET('/api/v1/accounts/me/tokens', { signal });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

export const apiTokensQueryOptions = () =>
  queryOptions({
    queryKey: [...ME_KEY, 'tokens'],
    queryFn: ({ signal }) => getApiTokens(signal),
  });

export const useApiTokens = () => useQuery(apiTokensQueryOptions());

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
