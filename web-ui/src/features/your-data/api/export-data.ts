import { useMutation } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import { saveFile } from '../../../lib/save-file';

/** `GET /api/v1/accounts/me/export`: everything held about you, as the JSON file to save. */
export async function exportData(): Promise<Blob> {
  const { data, error, response } = await api.GET('/api/v1/accounts/me/export', { parseAs: 'blob' });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

/** Fetches the export and saves it as `profiles-<ORCID iD>.json`. */
export function useExportData(orcid: string) {
  return useMutation({
    mutationFn: exportData,
    onSuccess: (blob) => {
      saveFile(blob, `profiles-${orcid}.json`);
    },
  });
}
