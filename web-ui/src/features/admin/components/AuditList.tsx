import { useId } from 'react';
import { Link } from 'react-router-dom';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { Loading } from '../../../components/Loading';
import { formatDateTime } from '../../../lib/format';
import { auditActionLabel, isOrcidId } from '../admin-labels';
import { ADMIN_PATHS } from '../admin-paths';
import { useAudit, type AuditEntry } from '../api/get-audit';

interface AuditListProps {
  heading: string;
  /** Only the entries about this target, e.g. an ORCID iD. */
  targetId?: string;
  limit?: number;
}

/** Recent administrative changes, newest first: who did what to what, and when. */
export function AuditList({ heading, targetId, limit = 20 }: AuditListProps) {
  const audit = useAudit({ targetId, limit });
  const headingId = useId();

  let body;
  if (audit.isPending) {
    body = <Loading>Loading recent changes…</Loading>;
  } else if (audit.isError) {
    body = (
      <ErrorAlert
        error={audit.error}
        context="Could not load the recent changes."
        onRetry={() => void audit.refetch()}
        retrying={audit.isFetching}
      />
    );
  } else if (audit.data.length === 0) {
    body = <p className="muted">No changes recorded.</p>;
  } else {
    body = (
      <ul className="session-list">
        {audit.data.map((entry) => (
          <AuditRow key={entry.id} entry={entry} />
        ))}
      </ul>
    );
  }

  return (
    <section className="card" aria-labelledby={headingId}>
      <h3 id={headingId}>{heading}</h3>
      {body}
    </section>
  );
}

function Who({ actor }: { actor: string }) {
  return isOrcidId(actor) ? <Link to={ADMIN_PATHS.account(actor)}>{actor}</Link> : <>{actor}</>;
}

function Target({ entry }: { entry: AuditEntry }) {
  if (entry.target_type === 'account' && isOrcidId(entry.target_id)) {
    return (
      <>
        account <Link to={ADMIN_PATHS.account(entry.target_id)}>{entry.target_id}</Link>
      </>
    );
  }
  return (
    <>
      {entry.target_type} <code>{entry.target_id}</code>
    </>
  );
}

function AuditRow({ entry }: { entry: AuditEntry }) {
  const hasDetails = entry.details !== null && entry.details !== undefined;
  return (
    <li className="session audit-entry">
      <div className="session__what">
        <strong>{auditActionLabel(entry.action)}</strong>
        <span className="session__agent">
          <Target entry={entry} /> · by <Who actor={entry.actor} /> ·{' '}
          <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
        </span>
      </div>
      {hasDetails && (
        <details className="audit-entry__details">
          <summary>Details</summary>
          <pre>{JSON.stringify(entry.details, null, 2)}</pre>
        </details>
      )}
    </li>
  );
}
