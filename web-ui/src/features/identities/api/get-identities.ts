import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import { ME_KEY } from '../../../api/query-keys';
import type { components } from '../../../api/schema';

export type Identity = components['schemas']['IdentityView'];

/** `GET /api/v1/accounts/me/identities`: every linked way to sign in, with token state and unlink rules. */
export async function getIdentities(signal?: AbortSignal): Promise<Identity[]> {
  const { data, error, response } = await api.GET('/api/v1/accounts/me/identities', { signal });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

export const identitiesQueryOptions = () =>
  queryOptions({
    queryKey: [...ME_KEY, 'identities'],
    queryFn: ({ signal }) => getIdentities(signal),
  });

export const useIdentities = () => useQuery(identitiesQueryOptions());
