import { useId, useState } from 'react';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { Loading } from '../../../components/Loading';
import { SuccessNotice } from '../../../components/SuccessNotice';
import { formatDateTime } from '../../../lib/format';
import { oidcScopeWords, sortedScopes } from '../../../lib/oidc-scopes';
import { useApps, type AppAccess } from '../api/get-apps';
import { useRevokeApp } from '../api/revoke-app';

/**
 * "Apps with access": the services the person signed in to with Profiles, each with what it may
 * have in words, whether it is one of DataCite's services or another's, when they agreed, their
 * last sign-in and how many sign-ins to it are live; "Revoke access" after a confirmation that
 * says what it does, then a success notice.
 */
export function AppsWithAccess() {
  const apps = useApps();
  const revoke = useRevokeApp();
  const [revoking, setRevoking] = useState<AppAccess | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const close = () => {
    setRevoking(null);
    revoke.reset();
  };

  const confirm = () => {
    if (!revoking) return;
    const app = revoking;
    revoke.mutate(app.client_id, {
      onSuccess: () => {
        setRevoking(null);
        setNotice(`${app.name} no longer has access to your Profiles account, and you are signed out of it.`);
      },
    });
  };

  let body;
  if (apps.isPending) {
    body = <Loading>Loading your apps…</Loading>;
  } else if (apps.isError) {
    body = (
      <ErrorAlert
        error={apps.error}
        context="Could not load the apps with access."
        onRetry={() => void apps.refetch()}
        retrying={apps.isFetching}
      />
    );
  } else if (apps.data.length === 0) {
    body = (
      <p className="muted">
        No app has access to your account. When you sign in to another service with Profiles, it appears here, with
        what it may know about you, and you can revoke its access at any time.
      </p>
    );
  } else {
    body = (
      <ul className="session-list" aria-label="Your apps with access">
        {apps.data.map((app) => (
          <AppRow
            key={app.client_id}
            app={app}
            onRevoke={() => {
              setNotice(null);
              setRevoking(app);
            }}
          />
        ))}
      </ul>
    );
  }

  return (
    <section className="card" aria-labelledby="apps-heading">
      <h2 id="apps-heading">Apps with access</h2>
      <p className="muted">
        Services you signed in to with Profiles, and what each may have. Revoke access for any you no longer use or do
        not recognise.
      </p>
      <SuccessNotice
        message={notice}
        onDismiss={() => {
          setNotice(null);
        }}
      />
      {body}
      {revoking && (
        <ConfirmDialog
          title={`Revoke access for ${revoking.name}?`}
          confirmLabel="Revoke access"
          destructive
          busy={revoke.isPending}
          error={revoke.isError ? <ErrorAlert error={revoke.error} context="Access was not revoked." /> : null}
          onConfirm={confirm}
          onCancel={close}
        >
          <RevokeEffects app={revoking} />
        </ConfirmDialog>
      )}
    </section>
  );
}

/** What revoking does, as the dialog says it before the person confirms. */
function RevokeEffects({ app }: { app: AppAccess }) {
  const signIns = app.active_sign_ins;
  return (
    <ul className="app-access__effects">
      <li>It stops working for you now: it can no longer get anything about you from Profiles.</li>
      <li>
        You are signed out of it
        {signIns > 1 ? ` everywhere you are signed in to it (${signIns} sign-ins)` : ''}, and Profiles tells it so.
      </li>
      <li>
        {app.first_party
          ? 'Next time you use it, you sign in to it again.'
          : 'Next time you sign in to it with Profiles, it asks for your agreement again.'}
      </li>
    </ul>
  );
}

function AppRow({ app, onRevoke }: { app: AppAccess; onRevoke: () => void }) {
  const id = useId();
  const scopes = sortedScopes(app.scopes);
  return (
    <li className="session app-access">
      <div className="session__what">
        <strong>{app.name}</strong>
        {app.first_party ? (
          <span className="pill pill--info">DataCite service</span>
        ) : (
          <span className="pill pill--neutral">Third-party service</span>
        )}
        <span className="session__agent">
          {app.first_party
            ? 'One of DataCite’s own services: it signs you in without asking.'
            : 'Not run by DataCite: it asked for your agreement before it signed you in.'}
        </span>
      </div>
      <div className="app-access__scopes">
        <p id={`${id}-scopes`} className="app-access__scopes-title">
          What it may have
        </p>
        <ul aria-labelledby={`${id}-scopes`}>
          {scopes.map((scope) => (
            <li key={scope}>{oidcScopeWords(scope)}</li>
          ))}
        </ul>
      </div>
      <dl className="session__facts">
        <div>
          <dt>You agreed</dt>
          <dd>
            {app.consented_at ? (
              <time dateTime={app.consented_at}>{formatDateTime(app.consented_at)}</time>
            ) : app.first_party ? (
              'Not asked: a DataCite service'
            ) : (
              'Not recorded'
            )}
          </dd>
        </div>
        <div>
          <dt>Last sign-in</dt>
          <dd>
            {app.last_signed_in_at ? (
              <time dateTime={app.last_signed_in_at}>{formatDateTime(app.last_signed_in_at)}</time>
            ) : (
              'Not yet'
            )}
          </dd>
        </div>
        <div>
          <dt>Active sign-ins</dt>
          <dd>{app.active_sign_ins === 0 ? 'None' : app.active_sign_ins}</dd>
        </div>
      </dl>
      <button
        type="button"
        className="button button--secondary"
        aria-label={`Revoke access for ${app.name}`}
        onClick={onRevoke}
      >
        Revoke access
      </button>
    </li>
  );
}
