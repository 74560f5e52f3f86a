import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import type { components } from '../../../api/schema';
import { ADMIN_KEY } from './keys';

export type NewClient = components['schemas']['NewClient'];
export type RegisteredClient = components['schemas']['RegisteredClient'];

/**
 * `POST /api/v1/admin/clients`: registers a client application. The answer carries its secret
 * (a confidential client's), this once; 422 `invalid_parameter` names the field that does not do.
 */
export async function registerClient(body: NewClient): Promise<RegisteredClient> {
  const { data, error, response } = await api.POST('/api/v1/admin/clients', { body });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

/**
 * Registers a client. The caller takes the secret out of `onSuccess` and calls `reset()`, so it is
 * kept in one component's state only, never in a cache.
 */
export function useRegisterClient() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: registerClient,
    // The list, and the audit entries.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ADMIN_KEY }),
  });
}
