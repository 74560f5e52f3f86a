import { Link } from 'react-router-dom';
import { useClaimStats } from '../../features/claims/api/get-claim-stats';
import { CLAIMS_PATHS } from './claims-paths';

/**
 * How many DOIs wait for the person's approval, linking to the review queue; nothing while none
 * waits, unless `always` (review mode: the person should know where they will appear).
 */
export function ReviewQueueLink({ always = false }: { always?: boolean }) {
  const stats = useClaimStats();
  const waiting = stats.data?.states.pending_review ?? 0;
  if (!stats.isSuccess || (waiting === 0 && !always)) return null;
  return (
    <p className="permission__more">
      <Link to={CLAIMS_PATHS.review}>
        {waiting === 0
          ? 'Review queue'
          : waiting === 1
            ? '1 DOI waits for your approval'
            : `${waiting} DOIs wait for your approval`}
      </Link>
      {waiting === 0 && <span className="muted"> — nothing waits for your approval.</span>}
    </p>
  );
}
