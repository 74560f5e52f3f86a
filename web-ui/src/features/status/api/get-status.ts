import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import type { paths } from '../../../api/schema';

export type Status = paths['/api/v1/status']['get']['responses'][200]['content']['application/json'];

/** `GET /api/v1/status`: API version, database state and job queue depth. */
export async function getStatus(signal?: AbortSignal): Promise<Status> {
  const { data, error, response } = await api.GET('/api/v1/status', { signal });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

export const statusQueryOptions = () =>
  queryOptions({
    queryKey: ['status'],
    queryFn: ({ signal }) => getStatus(signal),
  });

export const useStatus = () => useQuery(statusQueryOptions());
