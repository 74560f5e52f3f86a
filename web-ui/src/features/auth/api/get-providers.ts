import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import type { components } from '../../../api/schema';

export type ProvidersResponse = components['schemas']['ProvidersResponse'];
export type ProviderInfo = components['schemas']['ProviderInfo'];

/** `GET /api/v1/auth/providers`: enabled sign-in providers, ORCID sandbox flag, ORCID and DataCite Search sites. */
export async function getProviders(signal?: AbortSignal): Promise<ProvidersResponse> {
  const { data, error, response } = await api.GET('/api/v1/auth/providers', { signal });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

export const providersQueryOptions = () =>
  queryOptions({
    queryKey: ['providers'],
    queryFn: ({ signal }) => getProviders(signal),
    // Server configuration: it does not change while the page is open.
    staleTime: Infinity,
  });

export const useProviders = () => useQuery(providersQueryOptions());
