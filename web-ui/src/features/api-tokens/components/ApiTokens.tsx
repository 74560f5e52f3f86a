import { useState } from 'react';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { Loading } from '../../../components/Loading';
import type { Role } from '../../../lib/roles';
import type { CreatedApiToken } from '../api/create-api-token';
import { useApiTokens, type ApiToken } from '../api/get-api-tokens';
import { useRevokeApiToken } from '../api/revoke-api-token';
import { NewTokenForm } from './NewTokenForm';
import { NewTokenSecret } from './NewTokenSecret';
import { TokenRow } from './TokenRow';

/**
 * The "API tokens" box: your tokens with their last use and a way to revoke them, and a form for a
 * new one, whose secret is shown once.
 */
export function ApiTokens({ role }: { role: Role }) {
  const tokens = useApiTokens();
  const revoke = useRevokeApiToken();
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const [created, setCreated] = useState<CreatedApiToken | null>(null);
  const [announcement, setAnnouncement] = useState('');

  const confirmRevoke = () => {
    if (!revoking) return;
    const token = revoking;
    revoke.mutate(token.id, {
      onSuccess: () => {
        setRevoking(null);
        setAnnouncement(`The token “${token.name}” was revoked.`);
      },
    });
  };

  let body;
  if (tokens.isPending) {
    body = <Loading>Loading your API tokens…</Loading>;
  } else if (tokens.isError) {
    body = (
      <ErrorAlert
        error={tokens.error}
        context="Could not load your API tokens."
        onRetry={() => void tokens.refetch()}
        retrying={tokens.isFetching}
      />
    );
  } else if (tokens.data.length === 0) {
    body = <p className="muted">You have no API tokens.</p>;
  } else {
    body = (
      <ul className="session-list" aria-label="Your API tokens">
        {tokens.data.map((token) => (
          <TokenRow
            key={token.id}
            token={token}
            onRevoke={() => {
              setAnnouncement('');
              setRevoking(token);
            }}
          />
        ))}
      </ul>
    );
  }

  return (
    <section className="card" aria-labelledby="api-tokens-heading">
      <h2 id="api-tokens-heading">API tokens</h2>
      <p className="muted">
        A token lets a script or service use the Profiles API as you, sent as <code>Authorization: Bearer …</code>. It
        can never do more than your account. Revoke any token you no longer use.
      </p>
      <div role="status" className="status-line">
        {announcement}
      </div>
      {created && (
        <NewTokenSecret
          token={created}
          onDone={() => {
            setCreated(null);
          }}
        />
      )}
      {body}
      <NewTokenForm
        role={role}
        onCreated={(token) => {
          setAnnouncement('');
          setCreated(token);
        }}
      />
      {revoking && (
        <ConfirmDialog
          title="Revoke this token?"
          confirmLabel="Revoke token"
          destructive
          busy={revoke.isPending}
          error={revoke.isError ? <ErrorAlert error={revoke.error} context="The token was not revoked." /> : null}
          onConfirm={confirmRevoke}
          onCancel={() => {
            setRevoking(null);
            revoke.reset();
          }}
        >
          <p>
            “{revoking.name}” ({revoking.hint}) stops working at once. Anything that uses it will need a new token.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
