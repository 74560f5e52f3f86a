import { useId, useState } from 'react';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { Loading } from '../../../components/Loading';
import { RelativeTime } from '../../../components/RelativeTime';
import {
  ACTIVITY_ACTION_OPTIONS,
  activityReasonText,
  activityWords,
  doiUrl,
  isActivityAction,
  type ActivityAction,
  type ActivityEntry,
} from '../../../lib/claims';
import { useActivity } from '../api/get-activity';

/**
 * What Profiles did, or tried, in your ORCID record, newest first: each entry in a sentence (its
 * error in plain words by code, never ORCID's status line), when (how long ago, the exact time on
 * hover), why (Search & Link, Auto-Update, checking your record, an administrator, you), the DOI
 * and the work's put-code. Filtered by action; "Show older" follows `links.next`.
 */
export function ClaimActivity() {
  const [action, setAction] = useState<ActivityAction | ''>('');
  const activity = useActivity({ action: action || undefined });
  const filterId = useId();

  // Nothing has happened at all: no filter to offer over an empty list.
  const nothingYet = action === '' && activity.data?.pages.every((page) => page.data.length === 0) === true;

  let body;
  if (activity.isPending) {
    body = <Loading>Loading the activity in your ORCID record…</Loading>;
  } else if (activity.isError && activity.data === undefined) {
    body = (
      <ErrorAlert
        error={activity.error}
        context="Could not load the activity in your ORCID record."
        onRetry={() => void activity.refetch()}
        retrying={activity.isFetching}
      />
    );
  } else {
    const entries = activity.data.pages.flatMap((page) => page.data);
    body =
      entries.length === 0 ? (
        <EmptyActivity filtered={action !== ''} />
      ) : (
        <>
          <ul className="session-list" aria-label="Changes in your ORCID record, newest first">
            {entries.map((entry) => (
              <ActivityRow key={entry.id} entry={entry} />
            ))}
          </ul>
          {activity.isFetchNextPageError && (
            <ErrorAlert error={activity.error} context="Could not load older activity." />
          )}
          {activity.hasNextPage && (
            <button
              type="button"
              className="button button--secondary"
              disabled={activity.isFetchingNextPage}
              onClick={() => void activity.fetchNextPage()}
            >
              {activity.isFetchingNextPage ? 'Loading older activity…' : 'Show older'}
            </button>
          )}
        </>
      );
  }

  return (
    <>
      {!nothingYet && (
        <div className="claims-filters">
          <div className="field">
            <label htmlFor={filterId}>Show</label>
            <select
              id={filterId}
              value={action}
              onChange={(event) => {
                const { value } = event.target;
                setAction(isActivityAction(value) ? value : '');
              }}
            >
              <option value="">Everything</option>
              {ACTIVITY_ACTION_OPTIONS.map((option) => (
                <option key={option.action} value={option.action}>
                  {option.label}
                </option>
              ))}
            </select>
          </div>
        </div>
      )}
      {body}
    </>
  );
}

function EmptyActivity({ filtered }: { filtered: boolean }) {
  if (filtered) return <p className="muted">Nothing of this kind has happened in your ORCID record yet.</p>;
  return (
    <div className="activity-empty">
      <p>Nothing yet.</p>
      <p className="muted">
        Each time Profiles adds a work to your ORCID record, updates or removes one, or cannot, it is listed here with
        when and why: by Search &amp; Link, by Auto-Update, on checking your record, or at your or an
        administrator’s request.
      </p>
    </div>
  );
}

function ActivityRow({ entry }: { entry: ActivityEntry }) {
  const { title, detail, tone } = activityWords(entry);
  const detailClass = tone === 'danger' ? 'claim__error text-danger' : 'claim__error muted';
  return (
    <li className="session activity-entry">
      <div className="session__what">
        <strong>{title}</strong>
        <span className="session__agent">
          <a href={doiUrl(entry.doi)}>{entry.doi}</a>
        </span>
        {detail && <p className={detailClass}>{detail}</p>}
      </div>
      <dl className="session__facts">
        <div>
          <dt>When</dt>
          <dd>
            <RelativeTime at={entry.at} />
          </dd>
        </div>
        <div>
          <dt>Why</dt>
          <dd>{activityReasonText(entry.reason)}</dd>
        </div>
        {entry.put_code != null && (
          <div>
            <dt>Put-code</dt>
            <dd>{entry.put_code}</dd>
          </div>
        )}
      </dl>
    </li>
  );
}
