import { lazy, Suspense, useEffect, useRef, type ComponentType } from 'react';
import { Link, Route, Routes, useLocation } from 'react-router-dom';
import { AccountNav } from './routes/layouts/AccountNav';
import { SettingsLayout } from './routes/layouts/SettingsLayout';
import { Loading } from './components/Loading';
import { HomePage } from './routes/HomePage';
import { LinkOrcidPage } from './routes/LinkOrcidPage';
import { NotFoundPage } from './routes/NotFoundPage';
import { AccountSettingsPage } from './routes/settings/AccountSettingsPage';
import { ClaimsSettingsPage } from './routes/settings/ClaimsSettingsPage';
import { SignInPage } from './routes/SignInPage';
import { SignOutPage } from './routes/SignOutPage';

/**
 * A route element for a page loaded on first use, with the app's polite loading message while its
 * chunk arrives. Each page gets its own component and Suspense boundary: moving from one lazy page
 * to another unmounts the first, as with eagerly loaded pages, rather than keeping it hidden in a
 * shared boundary while the next one loads (it would keep its state, e.g. a new token's secret).
 */
function lazyPage<Name extends string>(
  load: () => Promise<Record<Name, ComponentType>>,
  name: Name,
): ComponentType {
  const Page = lazy<ComponentType>(() => load().then((module) => ({ default: module[name] })));
  function LazyPage() {
    return (
      <Suspense fallback={<Loading>Loading…</Loading>}>
        <Page />
      </Suspense>
    );
  }
  LazyPage.displayName = `Lazy(${name})`;
  return LazyPage;
}

// Pages a first visit does not need (it lands on the home page, sign-in, or Your account) are
// separate chunks, loaded when their route is first shown. `npm run check:size` keeps what the
// first load needs under budget.
const ApiDocsPage = lazyPage(() => import('./routes/ApiDocsPage'), 'ApiDocsPage');
const SessionsSettingsPage = lazyPage(() => import('./routes/settings/SessionsSettingsPage'), 'SessionsSettingsPage');
const AppsSettingsPage = lazyPage(() => import('./routes/settings/AppsSettingsPage'), 'AppsSettingsPage');
const ApiTokensSettingsPage = lazyPage(
  () => import('./routes/settings/ApiTokensSettingsPage'),
  'ApiTokensSettingsPage',
);
const YourDataSettingsPage = lazyPage(() => import('./routes/settings/YourDataSettingsPage'), 'YourDataSettingsPage');
const SocialSettingsPage = lazyPage(() => import('./routes/settings/SocialSettingsPage'), 'SocialSettingsPage');
const ClaimsSearchPage = lazyPage(() => import('./routes/settings/ClaimsSearchPage'), 'ClaimsSearchPage');
const ClaimsListPage = lazyPage(() => import('./routes/settings/ClaimsListPage'), 'ClaimsListPage');
const ClaimsActivityPage = lazyPage(() => import('./routes/settings/ClaimsActivityPage'), 'ClaimsActivityPage');
const ClaimsAutoUpdatePage = lazyPage(() => import('./routes/settings/ClaimsAutoUpdatePage'), 'ClaimsAutoUpdatePage');
const ClaimsReviewPage = lazyPage(() => import('./routes/settings/ClaimsReviewPage'), 'ClaimsReviewPage');
const AdminSettingsPage = lazyPage(() => import('./routes/settings/AdminSettingsPage'), 'AdminSettingsPage');
const AdminAccountPage = lazyPage(() => import('./routes/settings/AdminAccountPage'), 'AdminAccountPage');
const AdminClaimsPage = lazyPage(() => import('./routes/settings/AdminClaimsPage'), 'AdminClaimsPage');
const AdminClientsPage = lazyPage(() => import('./routes/settings/AdminClientsPage'), 'AdminClientsPage');
const AdminNotificationsPage = lazyPage(
  () => import('./routes/settings/AdminNotificationsPage'),
  'AdminNotificationsPage',
);

/** The page frame and the route table. Providers (router, query client) are set up in main.tsx. */
export function App() {
  const mainRef = useRef<HTMLElement>(null);
  const { pathname } = useLocation();
  const previousPath = useRef(pathname);

  useEffect(() => {
    // After a client-side navigation, start reading (and tabbing) at the new page, as after a full
    // page load. Not on the first render: the browser handles that.
    if (pathname !== previousPath.current) {
      previousPath.current = pathname;
      mainRef.current?.focus();
    }
  }, [pathname]);

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <header className="site-header">
        <div className="container site-header__inner">
          <Link to="/" className="brand">
            Profiles
          </Link>
          <nav aria-label="Account">
            <AccountNav />
          </nav>
        </div>
      </header>
      <main id="main" ref={mainRef} className="container" tabIndex={-1}>
        <Routes>
          <Route index element={<HomePage />} />
          <Route path="sign-in" element={<SignInPage />} />
          <Route path="sign-out" element={<SignOutPage />} />
          <Route path="link-orcid" element={<LinkOrcidPage />} />
          <Route path="api/docs" element={<ApiDocsPage />} />
          <Route path="settings" element={<SettingsLayout />}>
            <Route index element={<AccountSettingsPage />} />
            <Route path="sessions" element={<SessionsSettingsPage />} />
            <Route path="apps" element={<AppsSettingsPage />} />
            <Route path="tokens" element={<ApiTokensSettingsPage />} />
            <Route path="data" element={<YourDataSettingsPage />} />
            <Route path="social" element={<SocialSettingsPage />} />
            <Route path="claims">
              <Route index element={<ClaimsSettingsPage />} />
              <Route path="search" element={<ClaimsSearchPage />} />
              <Route path="list" element={<ClaimsListPage />} />
              <Route path="activity" element={<ClaimsActivityPage />} />
              <Route path="auto-update" element={<ClaimsAutoUpdatePage />} />
              <Route path="auto-update/review" element={<ClaimsReviewPage />} />
            </Route>
            <Route path="admin">
              <Route index element={<AdminSettingsPage />} />
              <Route path="accounts/:orcid" element={<AdminAccountPage />} />
              <Route path="claims" element={<AdminClaimsPage />} />
              <Route path="clients" element={<AdminClientsPage />} />
              <Route path="notifications" element={<AdminNotificationsPage />} />
            </Route>
          </Route>
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </main>
    </>
  );
}
