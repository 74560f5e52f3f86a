import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import type { components } from '../../../api/schema';
import { ADMIN_KEY } from './keys';

export type ClientView = components['schemas']['ClientView'];

/**
 * `GET /api/v1/admin/clients`: every client application that signs people in through Profiles
 * (OpenID Connect), oldest first, never with its secret. A staff admin's browser session with a
 * recent sign-in only: otherwise `reauthentication_required`, and the page asks to sign in again.
 */
export async function getClients(signal?: AbortSignal): Promise<ClientView[]> {
  const { data, error, response } = await api.GET('/api/v1/admin/clients', { signal });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data.data;
}

export const clientsQueryOptions = () =>
  queryOptions({
    queryKey: [...ADMIN_KEY, 'clients'],
    queryFn: ({ signal }) => getClients(signal),
  });

export const useClients = () => useQuery(clientsQueryOptions());
