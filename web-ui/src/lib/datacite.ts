/**
 * DataCite Search for the DOIs that name this ORCID iD as creator or contributor, written either
 * as the bare iD or as its URL (both forms occur in DataCite metadata). `base` is
 * `datacite_search_url` from `GET /api/v1/auth/providers`: the site this service is set up with.
 * The `https://orcid.org/` in the query is not a link but how DataCite writes an ORCID iD as a URL
 * (it stores every ORCID nameIdentifier in that form), whichever ORCID site this service uses.
 */
export function dataciteSearchUrl(base: string, orcid: string): string {
  const query = `creators_and_contributors.nameIdentifiers.nameIdentifier:(${orcid} OR "https://orcid.org/${orcid}")`;
  return `${base.replace(/\/+$/, '')}/doi.org?query=${encodeURIComponent(query)}`;
}
