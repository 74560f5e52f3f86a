import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import type { components } from '../../../api/schema';

export type AutoUpdateStatus = components['schemas']['AutoUpdateStatus'];

/**
 * `GET /api/v1/auto-update/status`: how often Auto-Update asks DataCite for new DOIs naming ORCID
 * iDs (`every_secs`, null when it takes DOI events only), when it last did and what it found, and
 * when it asks next.
 */
export async function getAutoUpdateStatus(signal?: AbortSignal): Promise<AutoUpdateStatus> {
  const { data, error, response } = await api.GET('/api/v1/auto-update/status', { signal });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

/** While DataCite is polled, once a minute: the last and next check move on. */
const POLL_MS = 60_000;

export const autoUpdateStatusQueryOptions = () =>
  queryOptions({
    queryKey: ['auto-update', 'status'],
    queryFn: ({ signal }) => getAutoUpdateStatus(signal),
    refetchInterval: (query) => (query.state.data?.every_secs ? POLL_MS : false),
  });

export const useAutoUpdateStatus = () => useQuery(autoUpdateStatusQueryOptions());
