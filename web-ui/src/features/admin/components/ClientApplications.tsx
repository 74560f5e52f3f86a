import { useState } from 'react';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { Loading } from '../../../components/Loading';
import { formatDate } from '../../../lib/format';
import { sortedScopes } from '../../../lib/oidc-scopes';
import { useClients, type ClientView } from '../api/get-clients';
import type { RegisteredClient } from '../api/register-client';
import { useRemoveClient } from '../api/remove-client';
import { clientKindWords } from '../client-words';
import { RegisteredClientBox } from './RegisteredClientBox';
import { RegisterClientForm } from './RegisterClientForm';

/**
 * The client applications that sign people in with Profiles, for staff admins: each with its
 * client id, kind, redirect and logout URIs and scopes, and "Remove" after a confirmation; a form
 * to register another, whose secret is then shown once. Every request needs a recent sign-in:
 * `reauthentication_required` asks to sign in again (`ErrorAlert`), and comes back here.
 */
export function ClientApplications({ heading }: { heading: string }) {
  const clients = useClients();
  const remove = useRemoveClient();
  const [removing, setRemoving] = useState<ClientView | null>(null);
  const [registered, setRegistered] = useState<RegisteredClient | null>(null);
  const [announcement, setAnnouncement] = useState('');

  const confirmRemove = () => {
    if (!removing) return;
    const client = removing;
    remove.mutate(client.client_id, {
      onSuccess: () => {
        setRemoving(null);
        setAnnouncement(`“${client.name}” was removed. Everyone signed in through it is signed out of it.`);
      },
    });
  };

  let body;
  if (clients.isPending) {
    body = <Loading>Loading the client applications…</Loading>;
  } else if (clients.isError) {
    body = (
      <ErrorAlert
        error={clients.error}
        context="Could not load the client applications."
        onRetry={() => void clients.refetch()}
        retrying={clients.isFetching}
      />
    );
  } else if (clients.data.length === 0) {
    body = (
      <p className="muted">
        No client application is registered yet. Register one below to let a service sign people in with Profiles.
      </p>
    );
  } else {
    body = (
      <ul className="session-list" aria-label={heading}>
        {clients.data.map((client) => (
          <ClientRow
            key={client.client_id}
            client={client}
            onRemove={() => {
              setAnnouncement('');
              setRemoving(client);
            }}
          />
        ))}
      </ul>
    );
  }

  return (
    <section className="card" aria-labelledby="admin-clients-list-heading">
      <h3 id="admin-clients-list-heading">{heading}</h3>
      <div role="status" className="status-line">
        {announcement}
      </div>
      {registered && (
        <RegisteredClientBox
          registered={registered}
          onDone={() => {
            setRegistered(null);
          }}
        />
      )}
      {body}
      {/* Registering needs the same recent sign-in as the list: without it the list says so, once. */}
      {clients.isSuccess && (
        <RegisterClientForm
          onRegistered={(client) => {
            setAnnouncement('');
            setRegistered(client);
          }}
        />
      )}
      {removing && (
        <ConfirmDialog
          title="Remove this client application?"
          confirmLabel="Remove application"
          destructive
          busy={remove.isPending}
          error={remove.isError ? <ErrorAlert error={remove.error} context="The application was not removed." /> : null}
          onConfirm={confirmRemove}
          onCancel={() => {
            setRemoving(null);
            remove.reset();
          }}
        >
          <p>
            “{removing.name}” (<code>{removing.client_id}</code>) can no longer sign anyone in with Profiles. Every
            person signed in through it is signed out of it, and every token it holds stops working at once
            {removing.backchannel_logout_uri ? '; Profiles tells it so at its back-channel logout URI' : ''}.
          </p>
          <p>This cannot be undone: to use it again, register it anew, with a new client ID.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}

/** URIs one per line, each wrapping where it must on a phone; "None" without any. */
function UriList({ uris }: { uris: readonly string[] }) {
  if (uris.length === 0) return <>None</>;
  return (
    <ul className="plain-list uri-list">
      {uris.map((uri) => (
        <li key={uri}>
          <code>{uri}</code>
        </li>
      ))}
    </ul>
  );
}

function ClientRow({ client, onRemove }: { client: ClientView; onRemove: () => void }) {
  return (
    <li className="session client">
      <div className="session__what">
        <strong>{client.name}</strong>
        <span className="pill pill--neutral">{clientKindWords(client.kind)}</span>
        {client.first_party && <span className="pill pill--info">DataCite service: no consent page</span>}
        <span className="session__agent">
          Client ID <code>{client.client_id}</code>
        </span>
      </div>
      <dl className="details client__details">
        <div>
          <dt>Redirect URIs</dt>
          <dd>
            <UriList uris={client.redirect_uris} />
          </dd>
        </div>
        <div>
          <dt>Post-logout redirect URIs</dt>
          <dd>
            <UriList uris={client.post_logout_redirect_uris} />
          </dd>
        </div>
        <div>
          <dt>Back-channel logout URI</dt>
          <dd>{client.backchannel_logout_uri ? <code>{client.backchannel_logout_uri}</code> : 'None'}</dd>
        </div>
        <div>
          <dt>Scopes</dt>
          <dd>{sortedScopes(client.allowed_scopes).join(' ')}</dd>
        </div>
        <div>
          <dt>Registered</dt>
          <dd>
            <time dateTime={client.created_at}>{formatDate(client.created_at)}</time>
          </dd>
        </div>
      </dl>
      <button type="button" className="button button--secondary" aria-label={`Remove ${client.name}`} onClick={onRemove}>
        Remove
      </button>
    </li>
  );
}
