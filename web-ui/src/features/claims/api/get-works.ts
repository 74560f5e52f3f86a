import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import type { components } from '../../../api/schema';
import { pollWorks } from '../../../lib/claims';
import { CLAIMS_KEY } from './keys';

export type Work = components['schemas']['WorkView'];
export type WorkList = components['schemas']['WorkList'];

export interface WorksFilter {
  /** DataCite query; empty lists the DOIs that name you. */
  query: string;
  /** From 1. */
  page: number;
}

/** `GET /api/v1/works`: DOIs in DataCite, each with your claim for it. */
export async function getWorks({ query, page }: WorksFilter, signal?: AbortSignal): Promise<WorkList> {
  const { data, error, response } = await api.GET('/api/v1/works', {
    params: { query: { query: query || undefined, 'page[number]': page } },
    signal,
  });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

export const worksQueryOptions = (filter: WorksFilter) =>
  queryOptions({
    // Under CLAIMS_KEY: each work carries its claim, which changes with every claim action.
    queryKey: [...CLAIMS_KEY, 'works', filter],
    queryFn: ({ signal }) => getWorks(filter, signal),
    placeholderData: keepPreviousData,
    // Until every claim on the DOIs shown has settled.
    refetchInterval: pollWorks,
  });

export const useWorks = (filter: WorksFilter) => useQuery(worksQueryOptions(filter));
