import { Link } from 'react-router-dom';
import { useAutoUpdateSettings } from '../../features/auto-update/api/get-auto-update-settings';
import { AutoUpdateMode } from '../../features/auto-update/components/AutoUpdateMode';
import { Backfill } from '../../features/auto-update/components/Backfill';
import { Exclusions } from '../../features/auto-update/components/Exclusions';
import { InboxNotifications } from '../../features/auto-update/components/InboxNotifications';
import { usePermissions } from '../../features/permissions/api/get-permissions';
import { CLAIMS_PATHS } from './claims-paths';
import { ReviewQueueLink } from './ReviewQueueLink';

/**
 * ORCID claims → Auto-Update: whether new DOIs go in at once or wait for approval (and the review
 * queue), whether Profiles may ask in the ORCID inbox while Auto-Update is not enabled, "Find all
 * my DOIs now" (back-fill), and what Auto-Update leaves out.
 */
export function ClaimsAutoUpdatePage() {
  const permissions = usePermissions();
  const settings = useAutoUpdateSettings();
  const enabled = permissions.data?.some((p) => p.kind === 'auto_update' && p.status === 'active') ?? false;
  const review = settings.data?.mode === 'review';
  return (
    <section className="card" aria-labelledby="claims-auto-update-heading">
      <title>Auto-Update · ORCID claims · Profiles</title>
      <p className="back-link">
        <Link to={CLAIMS_PATHS.overview}>Back to ORCID claims</Link>
      </p>
      <h2 id="claims-auto-update-heading">Auto-Update</h2>
      <p className="muted">
        Auto-Update adds works to your ORCID record when a DataCite DOI names your ORCID iD.{' '}
        {permissions.isSuccess &&
          (enabled ? (
            'It is enabled.'
          ) : (
            <>
              It is not enabled: <Link to={CLAIMS_PATHS.overview}>enable it on the ORCID claims page</Link>. These
              settings apply once it is.
            </>
          ))}
      </p>
      <section className="card" aria-labelledby="auto-update-mode-heading">
        <h3 id="auto-update-mode-heading">New DOIs</h3>
        <AutoUpdateMode />
        <ReviewQueueLink always={review} />
      </section>
      <section className="card" aria-labelledby="auto-update-inbox-heading">
        <h3 id="auto-update-inbox-heading">Requests in your ORCID inbox</h3>
        <InboxNotifications />
      </section>
      <Backfill
        enabled={enabled}
        review={review}
        disabledNote={
          <p>
            Enable Auto-Update on the <Link to={CLAIMS_PATHS.overview}>ORCID claims page</Link> first: it then
            finds your DOIs by itself.
          </p>
        }
      />
      <Exclusions />
    </section>
  );
}
