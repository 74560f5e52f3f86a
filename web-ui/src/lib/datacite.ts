/**
 * DataCite Search for the DOIs that name this ORCID iD as creator or contributor, written either
 * as the bare iD or as its URL (both forms occur in DataCite metadata). `base` is
 * `datacite_search_url` from `GET /api/v1/auth/providers`.
 */
export function dataciteSearchUrl(base: string, orcid: string): string {
  const query = `creators_and_contributors.nameIdentifiers.nameIdentifier:(${orcid} OR "https://orcid.org/${orcid}")`;
  return `${base.replace(/\/+$/, '')}/doi.org?query=${encodeURIComponent(query)}`;
}
