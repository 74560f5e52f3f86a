import { NavLink, Outlet } from 'react-router-dom';
import { isSessionEnded } from '../../api/errors';
import { ErrorAlert, SessionEnded } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import type { Account } from '../../features/account/api/get-account';
import { useAccount } from '../../features/account/api/get-account';
import { displayName, hasAdminArea } from '../../lib/roles';

/**
 * The settings frame: a side menu (Your account, Social login, ORCID claims, and Admin for every
 * role but `user`, as the API decides)
 * and the section it points to. It loads the account once and hands it to the sections.
 */
export function SettingsLayout() {
  const account = useAccount();

  let content;
  // Error first: after a 401 the last good account is still in `data`.
  if (account.isError) {
    content = isSessionEnded(account.error) ? (
      <div role="alert" className="error">
        <SessionEnded />
      </div>
    ) : (
      <ErrorAlert
        error={account.error}
        context="Could not load your account."
        onRetry={() => void account.refetch()}
        retrying={account.isFetching}
      />
    );
  } else if (account.isPending) {
    content = <Loading>Loading your account…</Loading>;
  } else {
    content = <Settings account={account.data} />;
  }

  return (
    <>
      {/* Each section names the page once it is shown. */}
      {!account.isSuccess && <title>Settings · Profiles</title>}
      <h1>Personal settings</h1>
      {content}
    </>
  );
}

const navClass = ({ isActive }: { isActive: boolean }) => (isActive ? 'settings-nav__link is-active' : 'settings-nav__link');

function Settings({ account }: { account: Account }) {
  return (
    <>
      <p className="lead">
        {displayName(account)} · <a href={account.orcid_url}>{account.orcid}</a>
      </p>
      <div className="settings">
        <nav aria-label="Settings" className="settings-nav">
          <ul>
            <li>
              <NavLink to="/settings" end className={navClass}>
                Your account
              </NavLink>
            </li>
            <li>
              <NavLink to="/settings/social" className={navClass}>
                Social login
              </NavLink>
            </li>
            <li>
              <NavLink to="/settings/claims" className={navClass}>
                ORCID claims
              </NavLink>
            </li>
            {hasAdminArea(account.role) && (
              <li>
                <NavLink to="/settings/admin" className={navClass}>
                  Admin
                </NavLink>
              </li>
            )}
          </ul>
        </nav>
        <div className="settings__content">
          <Outlet context={account} />
        </div>
      </div>
    </>
  );
}
