import { useId } from 'react';
import { Link } from 'react-router-dom';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { Loading } from '../../../components/Loading';
import { ADMIN_ACTIVITY_ACTIONS, ADMIN_ACTIVITY_REASONS, doiUrl, type ActivityEntry } from '../../../lib/claims';
import { formatDateTime } from '../../../lib/format';
import { isOrcidId } from '../admin-labels';
import { ADMIN_PATHS } from '../admin-paths';
import { useAdminActivity } from '../api/get-activity';

interface AdminActivityProps {
  heading: string;
  orcid: string;
  /** The latest this many entries. */
  size?: number;
}

/**
 * The latest entries of one person's ORCID record's activity log, for staff, in the words staff
 * read: the action, why and who, the put-code, and for a failure ORCID's status, our error code and
 * the message as the API keeps it (the person reads plain words on their Activity page).
 */
export function AdminActivity({ heading, orcid, size = 10 }: AdminActivityProps) {
  const activity = useAdminActivity({ orcid, size });
  const headingId = useId();

  let body;
  if (activity.isPending) {
    body = <Loading>Loading the activity…</Loading>;
  } else if (activity.isError) {
    body = (
      <ErrorAlert
        error={activity.error}
        context="Could not load the activity in this ORCID record."
        onRetry={() => void activity.refetch()}
        retrying={activity.isFetching}
      />
    );
  } else if (activity.data.data.length === 0) {
    body = <p className="muted">Profiles has not changed or tried anything in this ORCID record yet.</p>;
  } else {
    body = (
      <>
        <ul className="session-list">
          {activity.data.data.map((entry) => (
            <ActivityRow key={entry.id} entry={entry} />
          ))}
        </ul>
        {activity.data.links.next && (
          <p className="muted">
            The latest {size} entries. <code>GET /api/v1/admin/activity?orcid={orcid}</code> has all of them.
          </p>
        )}
      </>
    );
  }

  return (
    <section className="card" aria-labelledby={headingId}>
      <h3 id={headingId}>{heading}</h3>
      {body}
    </section>
  );
}

function Actor({ actor }: { actor: string }) {
  return isOrcidId(actor) ? <Link to={ADMIN_PATHS.account(actor)}>{actor}</Link> : <>{actor}</>;
}

function ActivityRow({ entry }: { entry: ActivityEntry }) {
  const failed = entry.action === 'failed';
  const hasError = entry.error_code != null || entry.orcid_status != null;
  return (
    <li className="session">
      <div className="session__what">
        <strong>{ADMIN_ACTIVITY_ACTIONS[entry.action] ?? entry.action}</strong>
        <span className="session__agent">
          <a href={doiUrl(entry.doi)}>{entry.doi}</a> · {ADMIN_ACTIVITY_REASONS[entry.reason] ?? entry.reason}
          {entry.actor && (
            <>
              {' '}
              by <Actor actor={entry.actor} />
            </>
          )}
          {entry.put_code != null && ` · put-code ${entry.put_code}`} ·{' '}
          <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
        </span>
        {entry.message && (
          <p className={failed ? 'claim__error text-danger' : 'claim__error muted'}>
            {failed ? 'Error: ' : ''}
            {entry.message}
          </p>
        )}
        {hasError && (
          <p className="claim__error muted">
            {entry.error_code && <code className="claim__code">{entry.error_code}</code>}
            {entry.error_code && entry.orcid_status != null && ' · '}
            {entry.orcid_status != null && `ORCID answered HTTP ${entry.orcid_status}`}
          </p>
        )}
      </div>
    </li>
  );
}
