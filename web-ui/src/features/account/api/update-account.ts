import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import type { components } from '../../../api/schema';
import { accountQueryOptions, type Account } from './get-account';

export type AccountUpdate = components['schemas']['AccountUpdate'];

/** `PATCH /api/v1/accounts/me`: changes names, email and visibility; `null` clears a field. */
export async function updateAccount(body: AccountUpdate): Promise<Account> {
  const { data, error, response } = await api.PATCH('/api/v1/accounts/me', { body });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

export function useUpdateAccount() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateAccount,
    onSuccess: (account) => queryClient.setQueryData(accountQueryOptions().queryKey, account),
  });
}
