import { useEffect, useRef } from 'react';
import { Link, Route, Routes, useLocation } from 'react-router-dom';
import { ApiDocsPage } from './routes/ApiDocsPage';
import { AccountNav } from './routes/layouts/AccountNav';
import { SettingsLayout } from './routes/layouts/SettingsLayout';
import { HomePage } from './routes/HomePage';
import { LinkOrcidPage } from './routes/LinkOrcidPage';
import { NotFoundPage } from './routes/NotFoundPage';
import { AccountSettingsPage } from './routes/settings/AccountSettingsPage';
import { AdminAccountPage } from './routes/settings/AdminAccountPage';
import { AdminClaimsPage } from './routes/settings/AdminClaimsPage';
import { AdminClientsPage } from './routes/settings/AdminClientsPage';
import { AdminNotificationsPage } from './routes/settings/AdminNotificationsPage';
import { AdminSettingsPage } from './routes/settings/AdminSettingsPage';
import { ApiTokensSettingsPage } from './routes/settings/ApiTokensSettingsPage';
import { AppsSettingsPage } from './routes/settings/AppsSettingsPage';
import { ClaimsActivityPage } from './routes/settings/ClaimsActivityPage';
import { ClaimsAutoUpdatePage } from './routes/settings/ClaimsAutoUpdatePage';
import { ClaimsReviewPage } from './routes/settings/ClaimsReviewPage';
import { ClaimsListPage } from './routes/settings/ClaimsListPage';
import { ClaimsSearchPage } from './routes/settings/ClaimsSearchPage';
import { ClaimsSettingsPage } from './routes/settings/ClaimsSettingsPage';
import { SessionsSettingsPage } from './routes/settings/SessionsSettingsPage';
import { SocialSettingsPage } from './routes/settings/SocialSettingsPage';
import { YourDataSettingsPage } from './routes/settings/YourDataSettingsPage';
import { SignInPage } from './routes/SignInPage';
import { SignOutPage } from './routes/SignOutPage';

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
