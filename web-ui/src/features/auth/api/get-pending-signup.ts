import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import type { components } from '../../../api/schema';

export type PendingSignup = components['schemas']['PendingSignupView'];

/**
 * `GET /api/v1/auth/pending-signup`: the Google or GitHub identity waiting for an ORCID iD after a
 * first sign-in. `null` when nothing is pending in this browser (404 `no_pending_signup`).
 */
export async function getPendingSignup(signal?: AbortSignal): Promise<PendingSignup | null> {
  const { data, error, response } = await api.GET('/api/v1/auth/pending-signup', { signal });
  if (response.status === 404 && error?.code === 'no_pending_signup') return null;
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

export const pendingSignupQueryOptions = () =>
  queryOptions({
    queryKey: ['pending-signup'],
    queryFn: ({ signal }) => getPendingSignup(signal),
  });

export const usePendingSignup = () => useQuery(pendingSignupQueryOptions());
