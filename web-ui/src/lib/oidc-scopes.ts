/**
 * The OpenID Connect scopes another service may ask Profiles for when it signs someone in, in the
 * words "Apps with access" shows the person (and staff see beside each scope when they register a
 * client application, so they know what people will read).
 */
export const OIDC_SCOPE_WORDS: Readonly<Record<string, string>> = {
  openid: 'Know that it is you',
  profile: 'Your name',
  email: 'Your email address',
  orcid: 'Your ORCID iD',
  datacite: 'Your ORCID iD, role and whether Profiles holds an ORCID permission (for DataCite’s services)',
  offline_access: 'Stay signed in for up to 30 days',
};

/** Every client application may ask for it: the API always adds it. */
export const ALWAYS_SCOPE = 'openid';

/** The scopes staff choose from when they register a client application, beside `openid`. */
export const CHOOSABLE_SCOPES: readonly string[] = ['profile', 'email', 'orcid', 'datacite', 'offline_access'];

/** What a scope lets an app have, in words; a scope these words do not know is shown as it is. */
export function oidcScopeWords(scope: string): string {
  return OIDC_SCOPE_WORDS[scope] ?? scope;
}

/** The scopes in the order above (`openid` first), unknown ones last as they came. */
export function sortedScopes(scopes: readonly string[]): string[] {
  const order = Object.keys(OIDC_SCOPE_WORDS);
  const rank = (scope: string) => {
    const at = order.indexOf(scope);
    return at === -1 ? order.length : at;
  };
  return [...new Set(scopes)].sort((a, b) => rank(a) - rank(b));
}
