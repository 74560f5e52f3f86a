import { Link, useLocation } from 'react-router-dom';
import { useAccount } from '../../features/account/api/get-account';
import { displayName } from '../../lib/roles';
import { useProviders } from '../../features/auth/api/get-providers';
import { UserMenu } from '../../features/auth/components/UserMenu';
import { dataciteSearchUrl } from '../../lib/datacite';

/** The top right of the header: the user menu when signed in, else "Sign in". */
export function AccountNav() {
  const account = useAccount();
  const providers = useProviders();
  const { pathname } = useLocation();

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
  return (
    <Link to="/sign-in" className="button">
      Sign in
    </Link>
  );
}
