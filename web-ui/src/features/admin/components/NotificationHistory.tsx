import { useId, useState, type SubmitEvent } from 'react';
import { Link } from 'react-router-dom';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { Loading } from '../../../components/Loading';
import { Pagination } from '../../../components/Pagination';
import { doiUrl } from '../../../lib/claims';
import { formatDateTime } from '../../../lib/format';
import { ADMIN_PATHS } from '../admin-paths';
import { useNotifications, type NotificationView } from '../api/get-notifications';
import {
  answerNeedsCode,
  NOTIFICATION_STATUSES,
  notificationAnswerWords,
  notificationStatusLabel,
  notificationStatusWords,
  type NotificationStatus,
} from '../notification-words';

/** Requests per page. */
const PAGE_SIZE = 25;

interface NotificationHistoryProps {
  heading: string;
  /** One person's history (the account page); without it, an iD can be searched for. */
  orcid?: string;
}

/**
 * The permission requests sent to ORCID inboxes, newest first (`GET /api/v1/admin/notifications`),
 * for staff: whose inbox (linking to the account page), the status, ORCID's answer in words (with
 * the code where the words do not tell which, and ORCID's HTTP status and message as they are),
 * when it was sent, read, clicked, archived and granted through, its put-code, and the works it
 * named. Searched by iD and filtered by status, in pages.
 */
export function NotificationHistory({ heading, orcid }: NotificationHistoryProps) {
  const id = useId();
  const [status, setStatus] = useState<NotificationStatus | ''>('');
  const [draft, setDraft] = useState('');
  const [searched, setSearched] = useState('');
  const [page, setPage] = useState(1);
  const notifications = useNotifications({
    orcid: orcid ?? (searched.trim() || undefined),
    status: status || undefined,
    page,
    size: PAGE_SIZE,
  });

  const search = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSearched(draft);
    setPage(1);
  };

  const filtered = Boolean(status || (!orcid && searched.trim()));

  let body;
  if (notifications.isPending) {
    body = <Loading>Loading the notifications…</Loading>;
  } else if (notifications.isError) {
    body = (
      <ErrorAlert
        error={notifications.error}
        context="Could not load the notifications."
        onRetry={() => void notifications.refetch()}
        retrying={notifications.isFetching}
      />
    );
  } else if (notifications.data.data.length === 0) {
    body = (
      <p className="muted">
        {filtered
          ? 'No notifications match these filters.'
          : orcid
            ? 'Profiles has not asked this person in their ORCID inbox.'
            : 'Profiles has not sent any permission request to an ORCID inbox yet.'}
      </p>
    );
  } else {
    const { data, meta } = notifications.data;
    body = (
      <>
        <p className="muted">{meta.total === 1 ? '1 notification' : `${meta.total} notifications`}</p>
        <ul className="session-list" aria-label={heading}>
          {data.map((notification) => (
            <NotificationRow key={notification.id} notification={notification} showOrcid={!orcid} />
          ))}
        </ul>
        <Pagination
          label={`${heading} pages`}
          page={meta.page}
          totalPages={Math.ceil(meta.total / Math.max(meta.size, 1))}
          busy={notifications.isFetching}
          onPage={setPage}
        />
      </>
    );
  }

  return (
    <section className="card" aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`}>{heading}</h3>
      {!orcid && (
        <form className="search-form" onSubmit={search} aria-label="Search notifications">
          <div className="field">
            <label htmlFor={`${id}-orcid`}>ORCID iD</label>
            <input
              id={`${id}-orcid`}
              type="text"
              autoComplete="off"
              aria-describedby={`${id}-orcid-hint`}
              value={draft}
              onChange={(event) => {
                setDraft(event.target.value);
              }}
            />
            <p id={`${id}-orcid-hint`} className="field__hint">
              One person’s history, such as <code>0000-0002-1825-0097</code>; empty for everyone’s.
            </p>
          </div>
          <button type="submit" className="button">
            Search
          </button>
        </form>
      )}
      <div className="claims-filters">
        <div className="field">
          <label htmlFor={`${id}-status`}>Status</label>
          <select
            id={`${id}-status`}
            value={status}
            onChange={(event) => {
              setStatus(event.target.value as NotificationStatus | '');
              setPage(1);
            }}
          >
            <option value="">All statuses</option>
            {NOTIFICATION_STATUSES.map((option) => (
              <option key={option} value={option}>
                {notificationStatusLabel(option)}
              </option>
            ))}
          </select>
        </div>
      </div>
      {body}
    </section>
  );
}

/** A moment in the history, or nothing while it has not happened. */
function When({ term, at }: { term: string; at: string | null | undefined }) {
  if (!at) return null;
  return (
    <div>
      <dt>{term}</dt>
      <dd>
        <time dateTime={at}>{formatDateTime(at)}</time>
      </dd>
    </div>
  );
}

function NotificationRow({ notification: n, showOrcid }: { notification: NotificationView; showOrcid: boolean }) {
  const status = notificationStatusWords(n.status);
  const hasDetail = n.orcid_status != null || Boolean(n.message);
  return (
    <li className="session notification">
      <div className="session__what">
        <strong>
          {showOrcid ? (
            <Link to={ADMIN_PATHS.account(n.orcid)}>{n.orcid}</Link>
          ) : (
            <>
              Created <time dateTime={n.created_at}>{formatDateTime(n.created_at)}</time>
            </>
          )}
        </strong>
        <span className={`pill pill--${status.tone}`}>{status.label}</span>
        <span className="session__agent">
          {notificationAnswerWords(n.answer)}
          {answerNeedsCode(n.answer) && (
            <>
              {' '}
              <code className="claim__code">{n.answer}</code>
            </>
          )}
          {n.put_code != null && ` · put-code ${n.put_code}`} ·{' '}
          {n.attempts === 1 ? '1 attempt' : `${n.attempts} attempts`}
        </span>
        {status.meaning && <p className="claim__error muted">{status.meaning}</p>}
        {hasDetail && (
          <p className="claim__error muted">
            {n.orcid_status != null && `ORCID answered HTTP ${n.orcid_status}`}
            {n.orcid_status != null && n.message && ': '}
            {n.message}
          </p>
        )}
        <dl className="session__facts">
          {showOrcid && <When term="Created" at={n.created_at} />}
          {n.sent_at ? (
            <When term="Sent" at={n.sent_at} />
          ) : (
            <div>
              <dt>Sent</dt>
              <dd>Not yet</dd>
            </div>
          )}
          <When term="Read" at={n.read_at} />
          <When term="Clicked “Grant permission”" at={n.actioned_at} />
          <When term="Archived" at={n.archived_at} />
          <When term="Granted Auto-Update" at={n.granted_at} />
          <When term="Link works until" at={n.expires_at} />
        </dl>
        {n.works.length > 0 && (
          <div className="notification__works">
            <p className="notification__works-title">
              {n.works.length === 1 ? '1 work named' : `${n.works.length} works named`}
            </p>
            <ul>
              {n.works.map((work) => (
                <li key={work.doi}>
                  <a href={doiUrl(work.doi)}>{work.doi}</a>
                  {work.title ? ` · ${work.title}` : ''}
                </li>
              ))}
            </ul>
          </div>
        )}
      </div>
    </li>
  );
}
