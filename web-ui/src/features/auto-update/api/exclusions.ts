import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import type { components } from '../../../api/schema';
import { AUTO_UPDATE_KEY } from './keys';

export type Exclusion = components['schemas']['Exclusion'];
export type NewExclusion = components['schemas']['NewExclusion'];

const EXCLUSIONS_KEY = [...AUTO_UPDATE_KEY, 'exclusions'] as const;

/** `GET /api/v1/auto-update/exclusions`: what Auto-Update leaves out, newest first. */
export async function getExclusions(signal?: AbortSignal): Promise<Exclusion[]> {
  const { data, error, response } = await api.GET('/api/v1/auto-update/exclusions', { signal });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

export const exclusionsQueryOptions = () =>
  queryOptions({
    queryKey: EXCLUSIONS_KEY,
    queryFn: ({ signal }) => getExclusions(signal),
    // Dismissing or removing a claim adds one elsewhere: asked again whenever it is shown.
    staleTime: 0,
  });

export const useExclusions = () => useQuery(exclusionsQueryOptions());

/** `POST /api/v1/auto-update/exclusions`: 201 the exclusion; 422 `invalid_parameter` naming the field. */
export async function addExclusion(exclusion: NewExclusion): Promise<Exclusion> {
  const { data, error, response } = await api.POST('/api/v1/auto-update/exclusions', { body: exclusion });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

export function useAddExclusion() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: addExclusion,
    onSettled: () => queryClient.invalidateQueries({ queryKey: EXCLUSIONS_KEY }),
  });
}

/** `DELETE /api/v1/auto-update/exclusions/{id}`: 204; 404 when it is gone already. */
export async function removeExclusion(id: string): Promise<void> {
  const { error, response } = await api.DELETE('/api/v1/auto-update/exclusions/{id}', { params: { path: { id } } });
  if (!response.ok) throw apiError(response, error);
}

export function useRemoveExclusion() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: removeExclusion,
    onSettled: () => queryClient.invalidateQueries({ queryKey: EXCLUSIONS_KEY }),
  });
}
