import { useState } from 'react';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { Loading } from '../../../components/Loading';
import { formatDateTime } from '../../../lib/format';
import { describeUserAgent } from '../describe-user-agent';
import { useSessions, type Session } from '../api/get-sessions';
import { useRevokeOtherSessions } from '../api/revoke-other-sessions';
import { useRevokeSession } from '../api/revoke-session';

/**
 * Where the account is signed in, with a way to end any other session. A session that signed in
 * to other services with Profiles names them ("Signed in to: …"): signing it out signs it out of
 * those too, and the confirmation says so.
 */
export function ActiveSessions() {
  const sessions = useSessions();
  const revoke = useRevokeSession();
  const revokeOthers = useRevokeOtherSessions();
  const [confirming, setConfirming] = useState<Session | 'others' | null>(null);
  const [announcement, setAnnouncement] = useState('');

  const close = () => {
    setConfirming(null);
    revoke.reset();
    revokeOthers.reset();
  };

  const confirm = () => {
    if (confirming === 'others') {
      revokeOthers.mutate(undefined, {
        onSuccess: ({ revoked }) => {
          setConfirming(null);
          setAnnouncement(
            revoked === 1 ? 'Signed out 1 other session.' : `Signed out ${revoked} other sessions.`,
          );
        },
      });
    } else if (confirming) {
      const session = confirming;
      revoke.mutate(session.id, {
        onSuccess: () => {
          setConfirming(null);
          setAnnouncement(`Signed out ${describeSession(session)}.`);
        },
      });
    }
  };

  let body;
  if (sessions.isPending) {
    body = <Loading>Loading your sessions…</Loading>;
  } else if (sessions.isError) {
    body = (
      <ErrorAlert
        error={sessions.error}
        context="Could not load your sessions."
        onRetry={() => void sessions.refetch()}
        retrying={sessions.isFetching}
      />
    );
  } else if (sessions.data.length === 0) {
    body = <p className="muted">No active sessions.</p>;
  } else {
    const others = sessions.data.filter((s) => !s.current);
    body = (
      <>
        <ul className="session-list">
          {sessions.data.map((session) => (
            <li key={session.id} className="session">
              <div className="session__what">
                <strong>{describeSession(session)}</strong>
                {session.current && <span className="pill pill--info">This browser</span>}
                {session.user_agent && <span className="session__agent">{session.user_agent}</span>}
              </div>
              <dl className="session__facts">
                <div>
                  <dt>IP address</dt>
                  <dd>{session.ip ?? 'Unknown'}</dd>
                </div>
                <div>
                  <dt>Last seen</dt>
                  <dd>
                    <time dateTime={session.last_seen_at}>{formatDateTime(session.last_seen_at)}</time>
                  </dd>
                </div>
                <div>
                  <dt>Signed in</dt>
                  <dd>
                    <time dateTime={session.created_at}>{formatDateTime(session.created_at)}</time>
                  </dd>
                </div>
              </dl>
              {appsOf(session).length > 0 && (
                <p className="session__apps">Signed in to: {appsOf(session).join(', ')}</p>
              )}
              {!session.current && (
                <button
                  type="button"
                  className="button button--secondary"
                  aria-label={`Sign out ${describeSession(session)}, last seen ${formatDateTime(session.last_seen_at)}`}
                  onClick={() => {
                    setAnnouncement('');
                    setConfirming(session);
                  }}
                >
                  Sign out
                </button>
              )}
            </li>
          ))}
        </ul>
        {others.length > 0 && (
          <button
            type="button"
            className="button button--danger"
            onClick={() => {
              setAnnouncement('');
              setConfirming('others');
            }}
          >
            Sign out all other sessions
          </button>
        )}
      </>
    );
  }

  const mutation = confirming === 'others' ? revokeOthers : revoke;
  // The apps the sessions about to end signed in to: they are signed out of them too.
  const confirmingApps =
    confirming === 'others'
      ? [...new Set((sessions.data ?? []).filter((s) => !s.current).flatMap(appsOf))]
      : confirming
        ? appsOf(confirming)
        : [];
  const anyApps = (sessions.data ?? []).some((s) => appsOf(s).length > 0);
  return (
    <section className="card" aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">Active sessions</h2>
      <p className="muted">
        Browsers where you are signed in. Sign out any you do not recognise.
        {anyApps &&
          ' Signing a session out also signs it out of the apps it signed in to with Profiles.'}
      </p>
      <div role="status" className="status-line">
        {announcement}
      </div>
      {body}
      {confirming && (
        <ConfirmDialog
          title={confirming === 'others' ? 'Sign out all other sessions?' : 'Sign out this session?'}
          confirmLabel={confirming === 'others' ? 'Sign out all others' : 'Sign out'}
          destructive
          busy={mutation.isPending}
          error={
            mutation.isError ? <ErrorAlert error={mutation.error} context="Nothing was signed out." /> : null
          }
          onConfirm={confirm}
          onCancel={close}
        >
          <p>
            {confirming === 'others'
              ? 'Every other browser signed in to your account will be signed out. This browser stays signed in.'
              : `${describeSession(confirming)} (last seen ${formatDateTime(confirming.last_seen_at)}) will be signed out.`}
          </p>
          {confirmingApps.length > 0 && (
            <p>
              {confirming === 'others' ? 'They are' : 'It is'} also signed out of the apps{' '}
              {confirming === 'others' ? 'they' : 'it'} signed in to with Profiles: {confirmingApps.join(', ')}.
            </p>
          )}
        </ConfirmDialog>
      )}
    </section>
  );
}

/** The apps (by name) this session signed in to with Profiles, while those sign-ins last. */
function appsOf(session: Session): string[] {
  return session.apps ?? [];
}

function describeSession(session: Session): string {
  return describeUserAgent(session.user_agent);
}
