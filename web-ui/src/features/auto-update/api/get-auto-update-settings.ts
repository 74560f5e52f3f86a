import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import type { components } from '../../../api/schema';
import { AUTO_UPDATE_KEY } from './keys';

export type AutoUpdateSettings = components['schemas']['AutoUpdateSettings'];
export type AutoUpdateMode = 'automatic' | 'review';

/** `GET /api/v1/auto-update/settings`: whether Auto-Update adds new DOIs at once or asks first. */
export async function getAutoUpdateSettings(signal?: AbortSignal): Promise<AutoUpdateSettings> {
  const { data, error, response } = await api.GET('/api/v1/auto-update/settings', { signal });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

export const autoUpdateSettingsQueryOptions = () =>
  queryOptions({
    queryKey: [...AUTO_UPDATE_KEY, 'settings'],
    queryFn: ({ signal }) => getAutoUpdateSettings(signal),
  });

export const useAutoUpdateSettings = () => useQuery(autoUpdateSettingsQueryOptions());
