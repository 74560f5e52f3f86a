import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import { ME_KEY } from '../../../api/query-keys';
import type { components } from '../../../api/schema';

export type Permission = components['schemas']['PermissionView'];
export type PermissionKind = components['schemas']['PermissionKind'];
export type PermissionStatus = components['schemas']['PermissionStatus'];

/** `GET /api/v1/accounts/me/permissions`: the Search & Link and Auto-Update grants, always both. */
export async function getPermissions(signal?: AbortSignal): Promise<Permission[]> {
  const { data, error, response } = await api.GET('/api/v1/accounts/me/permissions', { signal });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

export const permissionsQueryOptions = () =>
  queryOptions({
    queryKey: [...ME_KEY, 'permissions'],
    queryFn: ({ signal }) => getPermissions(signal),
  });

export const usePermissions = () => useQuery(permissionsQueryOptions());
