import type { Identity } from './api/get-identities';

/** GitHub logins: letters, digits and single hyphens, not at either end, at most 39 characters. */
const GITHUB_LOGIN = /^[a-z\d](?:[a-z\d]|-(?=[a-z\d])){0,38}$/i;

/**
 * The GitHub username in a profile URL (`https://github.com/<login>`, or a GitHub Enterprise
 * host's), or null when the URL is not one.
 */
export function githubLogin(profileUrl: string | null | undefined): string | null {
  if (!profileUrl) return null;
  let url: URL;
  try {
    url = new URL(profileUrl);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  const segments = url.pathname.split('/').filter(Boolean);
  const [login] = segments;
  return segments.length === 1 && login && GITHUB_LOGIN.test(login) ? login : null;
}

export interface IdentityLabel {
  /** Which account it is: Google's email, GitHub's username (else the name, else the provider's id). */
  account: string;
  /** The person's name there, when it says more than `account`. */
  name: string | null;
}

/** Which Google or GitHub account a connection is, as the person knows it there. */
export function identityLabel(identity: Identity): IdentityLabel {
  const byProvider = identity.provider === 'github' ? githubLogin(identity.profile_url) : identity.email;
  const account = byProvider ?? identity.display_name ?? identity.subject;
  const name = identity.display_name && identity.display_name !== account ? identity.display_name : null;
  return { account, name };
}
