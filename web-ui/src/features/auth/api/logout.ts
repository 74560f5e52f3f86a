import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';

/** `POST /api/v1/auth/logout`: ends this browser's session. */
export async function logout(): Promise<void> {
  const { error, response } = await api.POST('/api/v1/auth/logout');
  if (!response.ok) throw apiError(response, error);
}

/** Signs out, then forgets everything cached about the account. */
export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: logout,
    onSuccess: () => {
      queryClient.clear();
    },
  });
}
