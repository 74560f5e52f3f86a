import type { Exclusion } from './api/exclusions';

export type ExclusionKind = 'doi' | 'prefix' | 'client' | 'resource_type' | 'versions_and_parts';

/** Each kind of exclusion in words: its option, the value field's label and hint, and a row's words. */
export const EXCLUSION_KINDS: Record<
  ExclusionKind,
  { option: string; label?: string; hint: string; row: (value: string) => string }
> = {
  doi: {
    option: 'This DOI',
    label: 'DOI',
    hint: 'For example 10.5555/abc-123 or https://doi.org/10.5555/abc-123.',
    row: (value) => `The DOI ${value}`,
  },
  prefix: {
    option: 'DOIs with this prefix',
    label: 'Prefix',
    hint: 'The part of a DOI before the slash, for example 10.5555.',
    row: (value) => `DOIs with the prefix ${value}`,
  },
  client: {
    option: 'DOIs from this DataCite repository',
    label: 'Repository ID',
    hint: 'The DataCite repository’s ID, for example datacite.test. DataCite Commons shows it on the repository’s page.',
    row: (value) => `DOIs from the DataCite repository ${value}`,
  },
  resource_type: {
    option: 'DOIs of this resource type',
    label: 'Resource type',
    hint: 'A DataCite resource type, for example Software, Dataset or Preprint.',
    row: (value) => `${value.charAt(0).toUpperCase()}${value.slice(1)} DOIs`,
  },
  versions_and_parts: {
    option: 'Versions and parts of other works',
    hint: 'DOIs that DataCite records as a version or a part of another DOI. Nothing to type.',
    row: () => 'Versions and parts of other works',
  },
};

export const EXCLUSION_KIND_ORDER: readonly ExclusionKind[] = [
  'doi',
  'prefix',
  'client',
  'resource_type',
  'versions_and_parts',
];

const ORIGINS: Record<string, string> = {
  person: 'You added this exclusion.',
  removed: 'You removed it from your ORCID record.',
  removed_in_orcid: 'You removed it from your ORCID record on orcid.org.',
  dismissed: 'You dismissed it.',
};

/** Why an exclusion is there, in words. */
export const exclusionOrigin = (origin: string): string => ORIGINS[origin] ?? 'Added to your exclusions.';

/** What an exclusion keeps out, in words ("Software DOIs", "The DOI 10.5555/…"). */
export function exclusionWords(exclusion: Pick<Exclusion, 'kind' | 'value'>): string {
  const kind = EXCLUSION_KINDS[exclusion.kind as ExclusionKind] as (typeof EXCLUSION_KINDS)[ExclusionKind] | undefined;
  return kind ? kind.row(exclusion.value) : `${exclusion.kind} ${exclusion.value}`.trim();
}
