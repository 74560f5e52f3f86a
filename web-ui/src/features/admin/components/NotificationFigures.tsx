import { ErrorAlert } from '../../../components/ErrorAlert';
import { Loading } from '../../../components/Loading';
import { formatPercent } from '../../../lib/format';
import { useNotificationSummary, type NotificationSummary } from '../api/get-notification-summary';
import {
  answerNeedsCode,
  NOTIFICATION_STATUSES,
  notificationAnswerWords,
  notificationStatusLabel,
} from '../notification-words';

/**
 * The ORCID inbox figures for staff (`GET /api/v1/admin/notifications/summary`): whether
 * notifications are on (and, when off, how operators turn them on), people asked, of those who
 * granted Auto-Update since and the conversion, the Auto-Update claims waiting for a permission and
 * those that expired waiting, and the requests by status and by ORCID's answer.
 */
export function NotificationFigures() {
  const summary = useNotificationSummary();

  let body;
  if (summary.isPending) {
    body = <Loading>Loading the figures…</Loading>;
  } else if (summary.isError) {
    body = (
      <ErrorAlert
        error={summary.error}
        context="Could not load the ORCID inbox figures."
        onRetry={() => void summary.refetch()}
        retrying={summary.isFetching}
      />
    );
  } else {
    body = <Figures summary={summary.data} />;
  }

  return (
    <section className="card" aria-labelledby="notification-figures-heading">
      <h3 id="notification-figures-heading">Figures</h3>
      {body}
    </section>
  );
}

function Figures({ summary }: { summary: NotificationSummary }) {
  // Every status, in order, and any the API added since.
  const statuses = [
    ...NOTIFICATION_STATUSES,
    ...Object.keys(summary.by_status).filter((s) => !(NOTIFICATION_STATUSES as readonly string[]).includes(s)),
  ];
  const answers = Object.entries(summary.by_answer).sort(([, a], [, b]) => b - a);
  return (
    <>
      {summary.enabled ? (
        <p>
          Notifications are on: Profiles asks people a DOI names, who have not enabled Auto-Update, in their ORCID
          inbox.
        </p>
      ) : (
        <div className="notice notice--info">
          <p>
            Notifications are off: Profiles sends no permission requests to ORCID inboxes. To turn them on, an operator
            sets <code>ORCID_NOTIFICATIONS=on</code>, with an ORCID member client that is allowed{' '}
            <code>/premium-notification</code>.
          </p>
        </div>
      )}
      <dl className="facts">
        <div>
          <dt>People notified</dt>
          <dd>{summary.people_notified}</dd>
        </div>
        <div>
          <dt>Granted Auto-Update since</dt>
          <dd>{summary.people_granted}</dd>
        </div>
        <div>
          <dt>Conversion</dt>
          <dd>{formatPercent(summary.conversion)}</dd>
        </div>
        <div>
          <dt>Claims waiting for a permission</dt>
          <dd>{summary.claims_waiting}</dd>
        </div>
        <div>
          <dt>Claims expired waiting</dt>
          <dd>{summary.claims_expired}</dd>
        </div>
      </dl>
      <h4>By status</h4>
      <dl className="facts facts--compact">
        {statuses.map((status) => (
          <div key={status}>
            <dt>{notificationStatusLabel(status)}</dt>
            <dd>{summary.by_status[status] ?? 0}</dd>
          </div>
        ))}
      </dl>
      <h4>By ORCID’s answer</h4>
      {answers.length === 0 ? (
        <p className="muted">ORCID has not answered any request yet.</p>
      ) : (
        <dl className="facts facts--compact">
          {answers.map(([answer, count]) => (
            <div key={answer}>
              <dt>
                {notificationAnswerWords(answer)}
                {answerNeedsCode(answer) && (
                  <>
                    {' '}
                    <code className="claim__code">{answer}</code>
                  </>
                )}
              </dt>
              <dd>{count}</dd>
            </div>
          ))}
        </dl>
      )}
    </>
  );
}
