import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import { ME_KEY } from '../../../api/query-keys';
import type { Permission, PermissionKind } from './get-permissions';

/**
 * `DELETE /api/v1/accounts/me/permissions/{kind}`: revokes the grant at ORCID and forgets it.
 * 502 when ORCID cannot be reached; nothing changes then.
 */
export async function disablePermission(kind: PermissionKind): Promise<Permission> {
  const { data, error, response } = await api.DELETE('/api/v1/accounts/me/permissions/{kind}', {
    params: { path: { kind } },
  });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

export function useDisablePermission() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: disablePermission,
    // The account overview carries the permissions too.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ME_KEY }),
  });
}
