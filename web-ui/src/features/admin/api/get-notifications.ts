import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import type { components } from '../../../api/schema';
import type { NotificationStatus } from '../notification-words';
import { ADMIN_KEY } from './keys';

export type NotificationList = components['schemas']['NotificationList'];
export type NotificationView = components['schemas']['NotificationView'];

export interface NotificationFilter {
  /** One person's (an ORCID iD); undefined for everyone's. */
  orcid?: string | undefined;
  status?: NotificationStatus | undefined;
  /** From 1. */
  page: number;
  /** 1–100. */
  size: number;
}

/**
 * `GET /api/v1/admin/notifications`: the permission requests sent to ORCID inboxes, newest first,
 * with ORCID's answer, what the person did with each and the works it named. Staff only; 422 for
 * an iD that is not one (`invalid_orcid`).
 */
export async function getNotifications(filter: NotificationFilter, signal?: AbortSignal): Promise<NotificationList> {
  const { data, error, response } = await api.GET('/api/v1/admin/notifications', {
    params: {
      query: {
        orcid: filter.orcid,
        status: filter.status,
        'page[number]': filter.page,
        'page[size]': filter.size,
      },
    },
    signal,
  });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

export const notificationsQueryOptions = (filter: NotificationFilter) =>
  queryOptions({
    queryKey: [...ADMIN_KEY, 'notifications', 'list', filter],
    queryFn: ({ signal }) => getNotifications(filter, signal),
    // Keep the current page on screen while the next one loads.
    placeholderData: keepPreviousData,
  });

export const useNotifications = (filter: NotificationFilter) => useQuery(notificationsQueryOptions(filter));
