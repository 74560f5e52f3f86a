import { Link } from 'react-router-dom';
import { YourClaims } from '../../features/claims/components/YourClaims';
import { CLAIMS_PATHS } from './claims-paths';

/** Every claim, by state and source, with its error and Try again or Remove from ORCID record. */
export function ClaimsListPage() {
  return (
    <section className="card" aria-labelledby="claims-list-heading">
      <title>All claims · ORCID claims · Profiles</title>
      <p className="back-link">
        <Link to={CLAIMS_PATHS.overview}>Back to ORCID claims</Link>
      </p>
      <h2 id="claims-list-heading">All claims</h2>
      <p className="muted">
        Every DOI that DataCite has added, or is adding, to your ORCID record, by Search &amp; Link or Auto-Update.
      </p>
      <YourClaims />
    </section>
  );
}
