import type { components } from '../api/schema';

/** The two ways a claim comes about, as DataCite names them. */
export const SOURCE_LABELS: Record<components['schemas']['ClaimSource'], string> = {
  search_and_link: 'ORCID Search & Link',
  auto_update: 'ORCID Auto-Update',
};
