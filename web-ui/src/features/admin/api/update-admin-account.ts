import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import type { components } from '../../../api/schema';
import { adminAccountQueryOptions, type AdminAccountDetail } from './get-admin-account';
import { ADMIN_KEY } from './keys';

export type AdminAccountUpdate = components['schemas']['AdminAccountUpdate'];

/** `PATCH /api/v1/admin/accounts/{orcid}`: role (staff admins, never their own) and flags. Audited. */
export async function updateAdminAccount(orcid: string, body: AdminAccountUpdate): Promise<AdminAccountDetail> {
  const { data, error, response } = await api.PATCH('/api/v1/admin/accounts/{orcid}', {
    params: { path: { orcid } },
    body,
  });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

export function useUpdateAdminAccount(orcid: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: AdminAccountUpdate) => updateAdminAccount(orcid, body),
    onSuccess: async (detail) => {
      queryClient.setQueryData(adminAccountQueryOptions(orcid).queryKey, detail);
      // The search's role counts and the audit list changed too.
      await queryClient.invalidateQueries({ queryKey: ADMIN_KEY });
    },
  });
}
