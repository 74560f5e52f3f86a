import { Link, useLocation } from 'react-router-dom';
import { useAccount } from '../../features/account/api/get-account';
import { displayName } from '../../lib/roles';
import { useProviders } from '../../features/auth/api/get-providers';
import { UserMenu } from '../../features/auth/components/UserMenu';
import { dataciteSearchUrl } from '../../lib/datacite';
import { signInPath, withoutFlowError } from '../../lib/auth-urls';

/**
 * The top right of the header: the user menu when signed in, else "Sign in" (coming back to the
 * settings page it was clicked on).
 *
 * On /link-orcid it does not ask for the account: nobody is signed in midway through a Google or
 * GitHub sign-up, and a 401 `session_expired` for an old cookie makes the server clear that
 * browser's session, the waiting sign-up with it.
 */
export function AccountNav() {
  const { pathname, search } = useLocation();
  const account = useAccount({ enabled: pathname !== '/link-orcid' });
  const providers = useProviders();

  // Say nothing until we know, rather than flash "Sign in" at someone who is signed in.
  if (account.isPending) return null;
  if (account.isSuccess) {
    return (
      <UserMenu
        name={displayName(account.data)}
        orcidUrl={account.data.orcid_url}
        searchUrl={providers.data && dataciteSearchUrl(providers.data.datacite_search_url, account.data.orcid)}
      />
    );
  }
  if (pathname === '/sign-in' || pathname === '/link-orcid') return null;
  const here = pathname === '/settings' || pathname.startsWith('/settings/') ? withoutFlowError(pathname, search) : undefined;
  return (
    <Link to={signInPath(here)} className="button">
      Sign in
    </Link>
  );
}
