import { Link } from 'react-router-dom';
import { ReviewQueue } from '../../features/claims/components/ReviewQueue';
import { CLAIMS_PATHS } from './claims-paths';

/**
 * ORCID claims → Auto-Update → the review queue: the DOIs Auto-Update found while it asks first,
 * to add to the ORCID record or dismiss, one by one or all at once.
 */
export function ClaimsReviewPage() {
  return (
    <section className="card" aria-labelledby="claims-review-heading">
      <title>Review · Auto-Update · Profiles</title>
      <p className="back-link">
        <Link to={CLAIMS_PATHS.autoUpdate}>Back to Auto-Update</Link>
      </p>
      <h2 id="claims-review-heading">Review new DOIs</h2>
      <p className="muted">
        Auto-Update asks you first: these DOIs name you in DataCite and wait for your approval. Add those that are
        yours to your ORCID record; a DOI you dismiss is not proposed again.
      </p>
      <ReviewQueue />
    </section>
  );
}
