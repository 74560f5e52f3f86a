import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { apiError } from '../../../api/errors';
import type { components } from '../../../api/schema';
import { ADMIN_KEY } from './keys';

export type AuditEntry = components['schemas']['AuditEntry'];

export interface AuditFilter {
  targetType?: string | undefined;
  /** E.g. an ORCID iD. */
  targetId?: string | undefined;
  limit: number;
}

/** `GET /api/v1/admin/audit`: administrative changes, newest first. Staff only. */
export async function getAudit(filter: AuditFilter, signal?: AbortSignal): Promise<AuditEntry[]> {
  const { data, error, response } = await api.GET('/api/v1/admin/audit', {
    params: { query: { target_type: filter.targetType, target_id: filter.targetId, limit: filter.limit } },
    signal,
  });
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

export const auditQueryOptions = (filter: AuditFilter) =>
  queryOptions({
    queryKey: [...ADMIN_KEY, 'audit', filter],
    queryFn: ({ signal }) => getAudit(filter, signal),
  });

export const useAudit = (filter: AuditFilter) => useQuery(auditQueryOptions(filter));
