import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import { ME_KEY } from '../../../api/query-keys';
import type { components } from '../../../api/schema';

export type ApiToken = components['schemas']['ApiTokenView'];

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
