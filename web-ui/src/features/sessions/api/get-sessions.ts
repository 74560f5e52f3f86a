import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import { ME_KEY } from '../../../api/query-keys';
import type { components } from '../../../api/schema';

export type Session = components['schemas']['SessionView'];

/** `GET /api/v1/accounts/me/sessions`: the account's active sessions, this browser's among them. */
export async function getSessions(signal?: AbortSignal): Promise<Session[]> {
  const { data, error, response } = await api.GET('/api/v1/accounts/me/sessions', { signal });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

export const sessionsQueryOptions = () =>
  queryOptions({
    queryKey: [...ME_KEY, 'sessions'],
    queryFn: ({ signal }) => getSessions(signal),
  });

export const useSessions = () => useQuery(sessionsQueryOptions());
