import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import { ME_KEY } from '../../../api/query-keys';
import type { components } from '../../../api/schema';

export type UnlinkResult = components['schemas']['UnlinkResult'];
type UnlinkableProvider = Exclude<components['schemas']['Provider'], 'orcid'>;

/**
 * `DELETE /api/v1/accounts/me/identities/{provider}` (Google or GitHub). 409 `orcid_is_anchor` or
 * `last_sign_in_method` when it would leave the account without ORCID or without a way in.
 */
export async function unlinkIdentity(provider: UnlinkableProvider): Promise<UnlinkResult> {
  const { data, error, response } = await api.DELETE('/api/v1/accounts/me/identities/{provider}', {
    params: { path: { provider } },
  });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

export function useUnlinkIdentity() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: unlinkIdentity,
    // The account overview lists identities too.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ME_KEY }),
  });
}
