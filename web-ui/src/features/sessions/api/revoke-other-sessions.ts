import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import type { components } from '../../../api/schema';
import { sessionsQueryOptions } from './get-sessions';

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
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sessionsQueryOptions().queryKey }),
  });
}
