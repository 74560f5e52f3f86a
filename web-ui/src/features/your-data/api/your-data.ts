import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import type { components } from '../../../api/schema';

export type AccountDeleted = components['schemas']['AccountDeleted'];

/** `GET /api/v1/accounts/me/export`: everything held about you, as the JSON file to save. */
export async function exportData(): Promise<Blob> {
  const { data, error, response } = await api.GET('/api/v1/accounts/me/export', { parseAs: 'blob' });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

/** Saves `blob` as a file named `filename`, as a download link would. */
export function saveFile(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  try {
    link.click();
  } finally {
    link.remove();
    // After the click has started the download.
    setTimeout(() => {
      URL.revokeObjectURL(url);
    }, 0);
  }
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

/**
 * `DELETE /api/v1/accounts/me` with your ORCID iD as `confirm`: revokes your grants at the
 * providers and deletes the account. The session ends with it.
 */
export async function deleteAccount(confirm: string): Promise<AccountDeleted> {
  const { data, error, response } = await api.DELETE('/api/v1/accounts/me', { body: { confirm } });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

/** Deletes the account, then forgets everything cached about it. */
export function useDeleteAccount() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteAccount,
    onSuccess: () => {
      queryClient.clear();
    },
  });
}
