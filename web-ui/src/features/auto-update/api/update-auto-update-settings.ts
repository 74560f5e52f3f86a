import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import { autoUpdateSettingsQueryOptions, type AutoUpdateMode, type AutoUpdateSettings } from './get-auto-update-settings';

/** `PUT /api/v1/auto-update/settings`: `automatic` adds new DOIs at once, `review` asks first. */
export async function updateAutoUpdateSettings(mode: AutoUpdateMode): Promise<AutoUpdateSettings> {
  const { data, error, response } = await api.PUT('/api/v1/auto-update/settings', { body: { mode } });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

export function useUpdateAutoUpdateSettings() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateAutoUpdateSettings,
    onSuccess: (settings) => {
      queryClient.setQueryData(autoUpdateSettingsQueryOptions().queryKey, settings);
    },
  });
}
