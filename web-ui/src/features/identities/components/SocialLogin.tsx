import { useState } from 'react';
import type { components } from '../../../api/schema';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { FlowButton } from '../../../components/FlowButton';
import { Loading } from '../../../components/Loading';
import { authStartUrl, linkForm, PROVIDER_NAMES, PROVIDER_ORDER, type Provider } from '../../../lib/auth-urls';
import { formatDate } from '../../../lib/format';
import { useExpireOrcidToken } from '../api/expire-orcid-token';
import { useIdentities, type Identity } from '../api/get-identities';
import { useUnlinkIdentity } from '../api/unlink-identity';
import { identityLabel } from '../identity-labels';

type ProviderInfo = components['schemas']['ProviderInfo'];

const RETURN_TO = '/settings/social';

type Pending = { action: 'unlink'; provider: Exclude<Provider, 'orcid'> } | { action: 'expire' };

interface SocialLoginProps {
  /** The providers enabled on the server (`GET /api/v1/auth/providers`). */
  providers: readonly ProviderInfo[];
}

/**
 * One row per way to sign in (the enabled providers, plus any linked identity whose provider was
 * turned off since), each with its state and one action, as on DataCite's "Social Login" tab.
 */
export function SocialLogin({ providers }: SocialLoginProps) {
  const identities = useIdentities();
  const unlink = useUnlinkIdentity();
  const expire = useExpireOrcidToken();
  const [pending, setPending] = useState<Pending | null>(null);
  const [announcement, setAnnouncement] = useState('');

  if (identities.isPending) return <Loading>Loading your linked accounts…</Loading>;
  if (identities.isError) {
    return (
      <ErrorAlert
        error={identities.error}
        context="Could not load your linked accounts."
        onRetry={() => void identities.refetch()}
        retrying={identities.isFetching}
      />
    );
  }

  const nameOf = (id: Provider) => providers.find((p) => p.id === id)?.name ?? PROVIDER_NAMES[id];
  const enabled = (id: Provider) => providers.some((p) => p.id === id);
  const rows = PROVIDER_ORDER.filter((id) => enabled(id) || identities.data.some((i) => i.provider === id));

  const close = () => {
    setPending(null);
    unlink.reset();
    expire.reset();
  };

  const confirm = () => {
    if (pending?.action === 'unlink') {
      const name = nameOf(pending.provider);
      unlink.mutate(pending.provider, {
        onSuccess: (result) => {
          setPending(null);
          setAnnouncement(
            result.revoked_at_provider
              ? `${name} is no longer linked to your account, and its access was revoked at ${name}.`
              : `${name} is no longer linked to your account.`,
          );
        },
      });
    } else if (pending?.action === 'expire') {
      expire.mutate(undefined, {
        onSuccess: () => {
          setPending(null);
          setAnnouncement('Your ORCID token has expired. Sign in with ORCID again to refresh it.');
        },
      });
    }
  };

  const mutation = pending?.action === 'expire' ? expire : unlink;

  return (
    <>
      <div role="status" className="status-line">
        {announcement}
      </div>
      <ul className="social-list">
        {rows.map((id) => {
          const identity = identities.data.find((i) => i.provider === id);
          return (
            <li key={id} className="social-row">
              <div className="social-row__what">
                <h3>{nameOf(id)}</h3>
                <IdentityState identity={identity} enabled={enabled(id)} name={nameOf(id)} />
              </div>
              <div className="social-row__action">
                <IdentityAction
                  provider={id}
                  name={nameOf(id)}
                  identity={identity}
                  enabled={enabled(id)}
                  onUnlink={(provider) => {
                    setAnnouncement('');
                    setPending({ action: 'unlink', provider });
                  }}
                  onExpire={() => {
                    setAnnouncement('');
                    setPending({ action: 'expire' });
                  }}
                />
              </div>
            </li>
          );
        })}
      </ul>
      {pending && (
        <ConfirmDialog
          title={pending.action === 'expire' ? 'Expire your ORCID token?' : `Unlink ${nameOf(pending.provider)}?`}
          confirmLabel={pending.action === 'expire' ? 'Expire token' : `Unlink ${nameOf(pending.provider)}`}
          destructive
          busy={mutation.isPending}
          error={mutation.isError ? <ErrorAlert error={mutation.error} context="Nothing was changed." /> : null}
          onConfirm={confirm}
          onCancel={close}
        >
          <p>
            {pending.action === 'expire'
              ? 'Profiles will stop using its ORCID sign-in token. You stay signed in here; sign in with ORCID again to get a fresh token.'
              : `You will no longer be able to sign in with ${nameOf(pending.provider)}. Profiles also asks ${nameOf(pending.provider)} to revoke its access. You can connect it again later.`}
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}

function IdentityState({ identity, enabled, name }: { identity: Identity | undefined; enabled: boolean; name: string }) {
  if (!identity) return <p className="muted">Not linked.</p>;
  const { account, name: nameThere } = identityLabel(identity);
  return (
    <>
      {identity.provider === 'orcid' ? (
        <p>
          Linked to ORCID iD{' '}
          {identity.profile_url ? <a href={identity.profile_url}>{identity.subject}</a> : identity.subject}.{' '}
          <TokenState identity={identity} />
        </p>
      ) : (
        <p>
          Linked as{' '}
          {identity.profile_url ? <a href={identity.profile_url}>{account}</a> : <strong>{account}</strong>}
          {nameThere ? ` (${nameThere})` : ''}
          {identity.last_used_at ? `, last used ${formatDate(identity.last_used_at)}` : ''}.
        </p>
      )}
      {identity.provider === 'orcid' && !identity.can_unlink && identity.unlink_blocked_reason && (
        <p className="muted">{identity.unlink_blocked_reason}</p>
      )}
      {!enabled && <p className="muted">Signing in with {name} is turned off on this service.</p>}
    </>
  );
}

function TokenState({ identity }: { identity: Identity }) {
  const until = identity.token_expires_at ? formatDate(identity.token_expires_at) : null;
  switch (identity.token_state) {
    case 'active':
      return <>{until ? `Token valid until ${until}.` : 'Token active.'}</>;
    case 'expired':
      return <span className="text-danger">{until ? `Token expired on ${until}.` : 'Token expired.'}</span>;
    case 'missing':
      return <>No token is stored.</>;
  }
}

interface IdentityActionProps {
  provider: Provider;
  name: string;
  identity: Identity | undefined;
  enabled: boolean;
  onUnlink: (provider: Exclude<Provider, 'orcid'>) => void;
  onExpire: () => void;
}

/** The row's one action: connect (red), expire or refresh the ORCID token (green), unlink (black). */
function IdentityAction({ provider, name, identity, enabled, onUnlink, onExpire }: IdentityActionProps) {
  if (provider === 'orcid') {
    if (identity?.token_state === 'active') {
      return (
        <button type="button" className="button button--success" onClick={onExpire}>
          Expire ORCID token
        </button>
      );
    }
    if (!enabled) return null;
    return (
      <a className="button button--success" href={authStartUrl('orcid', { returnTo: RETURN_TO })}>
        Refresh ORCID token
      </a>
    );
  }
  if (!identity) {
    if (!enabled) return null;
    // A form post, not a link: the server refuses a link to the account that another site started.
    return (
      <FlowButton form={linkForm(provider, RETURN_TO)} className="button button--danger">
        Connect {name}
      </FlowButton>
    );
  }
  if (!identity.can_unlink) {
    return <p className="blocked-reason">{identity.unlink_blocked_reason ?? `${name} cannot be unlinked.`}</p>;
  }
  return (
    <button
      type="button"
      className="button button--dark"
      onClick={() => {
        onUnlink(provider);
      }}
    >
      Unlink {name}
    </button>
  );
}
