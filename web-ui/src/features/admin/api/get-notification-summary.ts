import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import type { components } from '../../../api/schema';
import { ADMIN_KEY } from './keys';

export type NotificationSummary = components['schemas']['NotificationSummary'];

/**
 * `GET /api/v1/admin/notifications/summary`: whether this service sends ORCID inbox requests,
 * people asked and of those who granted Auto-Update since, requests by status and by ORCID's
 * answer, and the Auto-Update claims waiting for a permission or expired waiting. Staff only.
 */
export async function getNotificationSummary(signal?: AbortSignal): Promise<NotificationSummary> {
  const { data, error, response } = await api.GET('/api/v1/admin/notifications/summary', { signal });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

export const notificationSummaryQueryOptions = () =>
  queryOptions({
    queryKey: [...ADMIN_KEY, 'notifications', 'summary'],
    queryFn: ({ signal }) => getNotificationSummary(signal),
  });

export const useNotificationSummary = () => useQuery(notificationSummaryQueryOptions());
