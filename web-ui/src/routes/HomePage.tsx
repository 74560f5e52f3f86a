import { Link } from 'react-router-dom';
import { useAccount } from '../features/account/api/get-account';
import { displayName } from '../lib/roles';

/**
 * The landing page: what Profiles does for a researcher and how, with one call to action ("Sign
 * in", or "Go to your settings" when signed in). Nothing about the service's own health: that is
 * for its operators (`/readyz`, `/metrics`, `profiles doctor`).
 */
export function HomePage() {
  return (
    <>
      <title>Profiles</title>
      <h1>Your researcher account</h1>
      <p className="lead">
        Profiles is DataCite’s account service for researchers. It adds your DataCite DOIs to your ORCID record as
        works.
      </p>
      <CallToAction />

      <section className="home-section" aria-labelledby="how-it-works">
        <h2 id="how-it-works">How it works</h2>
        <ol className="home-steps">
          <li>
            <h3>Sign in with ORCID</h3>
            <p>
              Your account belongs to your ORCID iD. Sign in with ORCID, or with Google or GitHub once they are linked
              to your ORCID iD.
            </p>
          </li>
          <li>
            <h3>Link your other accounts</h3>
            <p>In your settings, link Google and GitHub to your ORCID iD. Then you can sign in with any of them.</p>
          </li>
          <li>
            <h3>Search &amp; Link</h3>
            <p>
              Find your DOIs in DataCite and add the ones you choose, one by one. Each one becomes a work in your ORCID
              record.
            </p>
          </li>
          <li>
            <h3>Auto-Update</h3>
            <p>
              When a new DataCite DOI names your ORCID iD, Auto-Update adds it to your ORCID record for you.
            </p>
          </li>
        </ol>
        <p className="home-note">
          Search &amp; Link and Auto-Update each need your permission. You give it on ORCID when you turn one on in
          your settings.
        </p>
      </section>

      <section className="home-section" aria-labelledby="in-control">
        <h2 id="in-control">You stay in control</h2>
        <ul>
          <li>Remove any work that DataCite added to your ORCID record.</li>
          <li>Revoke a permission at any time, in your settings or on ORCID.</li>
          <li>See where you are signed in, and sign out other browsers.</li>
          <li>Download your data, or delete your account.</li>
        </ul>
      </section>

      <section className="home-section" aria-labelledby="for-developers">
        <h2 id="for-developers">For developers</h2>
        <p>
          Profiles has an HTTP API. The <Link to="/api/docs">API reference</Link> lists every endpoint and lets you try
          them.
        </p>
      </section>
    </>
  );
}

/**
 * "Sign in" for a visitor (any failure to load the account counts as not signed in: the sign-in
 * page says what is wrong), "Go to your settings" for someone signed in. Nothing while it is not
 * known yet, rather than flash "Sign in" at someone who is signed in.
 */
function CallToAction() {
  const account = useAccount();
  if (account.isPending) return null;
  if (account.isSuccess) {
    return (
      <div className="home-cta">
        <Link to="/settings" className="button">
          Go to your settings
        </Link>
        <p>You are signed in as {displayName(account.data)}.</p>
      </div>
    );
  }
  return (
    <div className="home-cta">
      <Link to="/sign-in" className="button">
        Sign in
      </Link>
      <p>The first time you sign in with ORCID, your account is created.</p>
    </div>
  );
}
