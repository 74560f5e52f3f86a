import { Link, Route, Routes } from 'react-router-dom';
import { HomePage } from './routes/HomePage';
import { NotFoundPage } from './routes/NotFoundPage';
import { SignInPage } from './routes/SignInPage';

/** The page frame and the route table. Providers (router, query client) are set up in main.tsx. */
export function App() {
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
            <Link to="/sign-in" className="button">
              Sign in
            </Link>
          </nav>
        </div>
      </header>
      <main id="main" className="container" tabIndex={-1}>
        <Routes>
          <Route index element={<HomePage />} />
          <Route path="sign-in" element={<SignInPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </main>
    </>
  );
}
