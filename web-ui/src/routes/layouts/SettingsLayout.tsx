import { useState } from 'react';
import { Link, Navigate, NavLink, Outlet, useLocation, useSearchParams } from 'react-router-dom';
import { isSessionEnded, saysSessionEnded, SIGN_IN_NEEDED_MESSAGE } from '../../api/errors';
import { ErrorAlert, SessionEnded } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import type { Account } from '../../features/account/api/get-account';
import { useAccount } from '../../features/account/api/get-account';
import { usePendingSignup } from '../../features/auth/api/get-pending-signup';
import { signInPath, withoutFlowError } from '../../lib/auth-urls';
import { displayName, hasAdminArea } from '../../lib/roles';
import { CLAIMS_PATHS } from '../settings/claims-paths';
import { ACCOUNT_PATHS } from '../settings/settings-paths';

/**
 * The settings frame: a section menu (Your account, with its pages Active sessions, Apps with
 * access, API tokens and Your data nested under it; Social login; ORCID claims, with Search & Link, Auto-Update, All
 * claims and Activity; and Admin for every role but `user`, as the API decides) and the page it points to. It loads the account once and hands it to the sections.
 *
 * Without a session it tells apart a visitor who is not signed in ("Please sign in", and back
 * here afterwards) from a session that really ended: the server says so (`session_expired`,
 * `session_revoked`), or this page had the account before. A sign-in flow that came back here
 * with `?error=` (cancelled or failed at the provider) did not sign in: the person goes on to
 * the sign-in page, which says so, or back to /link-orcid when a Google/GitHub sign-up waits.
 */
export function SettingsLayout() {
  const account = useAccount();
  const [searchParams] = useSearchParams();
  const flowError = searchParams.get('error');
  const signedOut = account.isError && isSessionEnded(account.error);
  const ended = useOnceTrue(
    signedOut && (saysSessionEnded(account.error) || account.data !== undefined),
  );

  let content;
  // Error first: after a 401 the last good account is still in `data`.
  if (signedOut && flowError) {
    content = <BackFromSignIn error={flowError} />;
  } else if (signedOut) {
    content = ended ? (
      <div role="alert" className="error">
        <SessionEnded />
      </div>
    ) : (
      <SignInNeeded />
    );
  } else if (account.isError) {
    content = (
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

/**
 * `value`, and true from the first render it was true on: once the server said the session ended,
 * a later 401 `unauthenticated` (the cookie is gone by then) does not turn it into a first visit.
 */
function useOnceTrue(value: boolean): boolean {
  const [seen, setSeen] = useState(value);
  if (value && !seen) setSeen(true);
  return value || seen;
}

/** Nobody is signed in, and no session ended: a first visit, or after signing out. */
function SignInNeeded() {
  const { pathname, search } = useLocation();
  return (
    <section className="card card--narrow" aria-labelledby="sign-in-needed">
      <h2 id="sign-in-needed">{SIGN_IN_NEEDED_MESSAGE}</h2>
      <p>Sign in to see and change your settings. Afterwards you come back to this page.</p>
      <Link className="button" to={signInPath(pathname + search)}>
        Sign in
      </Link>
    </section>
  );
}

/**
 * Back from a sign-in flow that did not sign in (`?error=access_denied` when the person cancelled
 * at the provider): a Google/GitHub sign-up still waiting for its ORCID iD goes on at /link-orcid;
 * anyone else goes to the sign-in page, coming back here once signed in. Either page says why.
 */
function BackFromSignIn({ error }: { error: string }) {
  const { pathname, search } = useLocation();
  const pending = usePendingSignup();
  if (pending.isPending) return <Loading>Loading…</Loading>;
  if (pending.isSuccess && pending.data !== null) {
    return <Navigate replace to={`/link-orcid?${new URLSearchParams({ error }).toString()}`} />;
  }
  return <Navigate replace to={signInPath(withoutFlowError(pathname, search), error)} />;
}

const navClass = ({ isActive }: { isActive: boolean }) => (isActive ? 'settings-nav__link is-active' : 'settings-nav__link');

const subNavClass = ({ isActive }: { isActive: boolean }) =>
  isActive ? 'settings-nav__sublink is-active' : 'settings-nav__sublink';

/** The pages under "Your account" in the menu, each a page of its own. */
const ACCOUNT_PAGES = [
  { to: ACCOUNT_PATHS.sessions, label: 'Active sessions' },
  { to: ACCOUNT_PATHS.apps, label: 'Apps with access' },
  { to: ACCOUNT_PATHS.tokens, label: 'API tokens' },
  { to: ACCOUNT_PATHS.data, label: 'Your data' },
] as const;

/** The pages under "ORCID claims" in the menu, beside its overview. */
const CLAIMS_PAGES = [
  { to: CLAIMS_PATHS.search, label: 'Search & Link' },
  // Its review queue is a page under it (CLAIMS_PATHS.review), so the entry stays marked there.
  { to: CLAIMS_PATHS.autoUpdate, label: 'Auto-Update' },
  { to: CLAIMS_PATHS.list, label: 'All claims' },
  { to: CLAIMS_PATHS.activity, label: 'Activity' },
] as const;

type MenuPage = (typeof ACCOUNT_PAGES)[number] | (typeof CLAIMS_PAGES)[number];

/** Whether the page shown is one of `pages` (or under one). */
const showsOneOf = (pathname: string, pages: readonly MenuPage[]) =>
  pages.some((page) => pathname === page.to || pathname.startsWith(`${page.to}/`));

/** A section's pages, nested under its entry. */
function SubPages({ pages }: { pages: readonly MenuPage[] }) {
  return (
    <ul className="settings-nav__sub">
      {pages.map((page) => (
        <li key={page.to}>
          <NavLink to={page.to} className={subNavClass}>
            {page.label}
          </NavLink>
        </li>
      ))}
    </ul>
  );
}

/**
 * The section menu: four sections at most (Admin only for the roles that have it), "Your account"
 * and "ORCID claims" with their pages nested under them. The page shown is `aria-current="page"`;
 * a section is only marked as the open one while one of its pages is shown. Beside the content on
 * the right on wide screens, above it on a phone (styles.css, "Settings frame").
 */
function SettingsNav({ account }: { account: Account }) {
  const { pathname } = useLocation();
  const inAccount = showsOneOf(pathname, ACCOUNT_PAGES);
  const inClaims = showsOneOf(pathname, CLAIMS_PAGES);
  return (
    <nav aria-label="Settings" className="settings-nav">
      <ul className="settings-nav__list">
        <li className="settings-nav__group">
          <NavLink
            to={ACCOUNT_PATHS.account}
            end
            className={({ isActive }) => `${navClass({ isActive })}${inAccount ? ' is-open' : ''}`}
          >
            Your account
          </NavLink>
          <SubPages pages={ACCOUNT_PAGES} />
        </li>
        <li>
          <NavLink to="/settings/social" className={navClass}>
            Social login
          </NavLink>
        </li>
        <li className="settings-nav__claims">
          <NavLink
            to={CLAIMS_PATHS.overview}
            end
            className={({ isActive }) => `${navClass({ isActive })}${inClaims ? ' is-open' : ''}`}
          >
            ORCID claims
          </NavLink>
          <SubPages pages={CLAIMS_PAGES} />
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
  );
}

function Settings({ account }: { account: Account }) {
  return (
    <>
      <p className="lead">
        {displayName(account)} · <a href={account.orcid_url}>{account.orcid}</a>
      </p>
      <div className="settings">
        <SettingsNav account={account} />
        <div className="settings__content">
          <Outlet context={account} />
        </div>
      </div>
    </>
  );
}
