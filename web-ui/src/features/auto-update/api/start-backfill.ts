import { useMutation } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import type { components } from '../../../api/schema';

export type BackfillQueued = components['schemas']['BackfillQueued'];

/**
 * `POST /api/v1/auto-update/backfill`: finds every DataCite DOI naming you and adds (or, in review
 * mode, proposes) those without a claim, in the background. 409 `permission_required` without
 * Auto-Update.
 */
export async function startBackfill(): Promise<BackfillQueued> {
  const { data, error, response } = await api.POST('/api/v1/auto-update/backfill', {});
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

export const useStartBackfill = () => useMutation({ mutationFn: startBackfill });
