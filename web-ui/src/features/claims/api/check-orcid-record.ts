import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import { ME_KEY } from '../../../api/query-keys';
import type { components } from '../../../api/schema';

export type ReconcileReport = components['schemas']['ReconcileReport'];

/**
 * `POST /api/v1/accounts/me/orcid-record/check`: reads your ORCID record now and brings your claims
 * in line with it. 409 `record_unreadable` without a permission to read it with; 502
 * `provider_unavailable` when ORCID did not answer (nothing changed).
 */
export async function checkOrcidRecord(): Promise<ReconcileReport> {
  const { data, error, response } = await api.POST('/api/v1/accounts/me/orcid-record/check');
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

export function useCheckOrcidRecord() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: checkOrcidRecord,
    // The account (when it was last checked), the claims, their counts and the activity log all
    // live under ['me']. Returned, so the caller's onSuccess runs once they show the new state.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ME_KEY }),
  });
}
