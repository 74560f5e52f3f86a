import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import { ME_KEY } from '../../../api/query-keys';
import type { components } from '../../../api/schema';

export type RevokedCount = components['schemas']['RevokedCount'];

/** `DELETE /api/v1/accounts/me/sessions`: signs out every session but this one. */
export async function revokeOtherSessions(): Promise<RevokedCount> {
  const { data, error, response } = await api.DELETE('/api/v1/accounts/me/sessions');
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

export function useRevokeOtherSessions() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: revokeOtherSessions,
    // The session list, and "Apps with access": a session's end ends its sign-ins to apps.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ME_KEY }),
  });
}
