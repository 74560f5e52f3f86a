import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import { ME_KEY } from '../../../api/query-keys';
import type { components } from '../../../api/schema';

export type AppAccess = components['schemas']['AppAccess'];

/**
 * `GET /api/v1/accounts/me/apps`: the services the person signed in to with Profiles (OpenID
 * Connect), each with what it may have, when they agreed, their last sign-in and how many of
 * their sign-ins to it are live.
 */
export async function getApps(signal?: AbortSignal): Promise<AppAccess[]> {
  const { data, error, response } = await api.GET('/api/v1/accounts/me/apps', { signal });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data.data;
}

export const appsQueryOptions = () =>
  queryOptions({
    queryKey: [...ME_KEY, 'apps'],
    queryFn: ({ signal }) => getApps(signal),
  });

export const useApps = () => useQuery(appsQueryOptions());
