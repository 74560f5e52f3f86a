import { Link } from 'react-router-dom';
import { ClaimActivity } from '../../features/claims/components/ClaimActivity';
import { CLAIMS_PATHS } from './claims-paths';

/**
 * ORCID claims → Activity: every change Profiles made, or tried, in the person's ORCID record,
 * newest first, in words, with when, why, the DOI and the put-code.
 */
export function ClaimsActivityPage() {
  return (
    <section className="card" aria-labelledby="claims-activity-heading">
      <title>Activity · ORCID claims · Profiles</title>
      <p className="back-link">
        <Link to={CLAIMS_PATHS.overview}>Back to ORCID claims</Link>
      </p>
      <h2 id="claims-activity-heading">Activity</h2>
      <p className="muted">
        Every change Profiles made, or tried to make, in your ORCID record, newest first. Your claims show where each
        work stands now.
      </p>
      <ClaimActivity />
    </section>
  );
}
