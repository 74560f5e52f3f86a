import { useIsMutating, useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import { autoUpdateSettingsQueryOptions, type AutoUpdateSettings } from './get-auto-update-settings';
import { AUTO_UPDATE_KEY } from './keys';

/** Every save of the settings, to tell while one is under way (`useSavingAutoUpdateSettings`). */
const UPDATE_SETTINGS_KEY = [...AUTO_UPDATE_KEY, 'settings', 'update'] as const;

/**
 * `PUT /api/v1/auto-update/settings`: `mode` (`automatic` adds new DOIs at once, `review` asks
 * first) and, when given, `inbox_notifications` (whether Profiles may ask in the ORCID inbox; left
 * out, unchanged). Answers both as they are now.
 */
export async function updateAutoUpdateSettings(body: AutoUpdateSettings): Promise<AutoUpdateSettings> {
  const { data, error, response } = await api.PUT('/api/v1/auto-update/settings', { body });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

export function useUpdateAutoUpdateSettings() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: UPDATE_SETTINGS_KEY,
    mutationFn: updateAutoUpdateSettings,
    onSuccess: (settings) => {
      queryClient.setQueryData(autoUpdateSettingsQueryOptions().queryKey, settings);
    },
  });
}

/**
 * Whether any save of the settings is under way: the mode and the inbox choice are saved apart,
 * and each `PUT` carries the mode, so one waits for the other.
 */
export const useSavingAutoUpdateSettings = () => useIsMutating({ mutationKey: UPDATE_SETTINGS_KEY }) > 0;
