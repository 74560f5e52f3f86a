import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import { ME_KEY } from '../../../api/query-keys';
import type { components } from '../../../api/schema';

export type Account = components['schemas']['AccountView'];

/** `GET /api/v1/accounts/me`: the signed-in person's account. 401 when nobody is signed in. */
export async function getAccount(signal?: AbortSignal): Promise<Account> {
  const { data, error, response } = await api.GET('/api/v1/accounts/me', { signal });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

export const accountQueryOptions = () =>
  queryOptions({
    queryKey: ME_KEY,
    queryFn: ({ signal }) => getAccount(signal),
  });

/** `enabled: false` asks nothing of the server; the account already known (if any) is still returned. */
export const useAccount = ({ enabled = true }: { enabled?: boolean } = {}) =>
  useQuery({ ...accountQueryOptions(), enabled });
