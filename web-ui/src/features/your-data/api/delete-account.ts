import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import type { components } from '../../../api/schema';

export type AccountDeleted = components['schemas']['AccountDeleted'];

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
