import { useState } from 'react';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { Loading } from '../../../components/Loading';
import { withParams } from '../../../lib/auth-urls';
import { formatDate } from '../../../lib/format';
import { useDisablePermission } from '../api/disable-permission';
import { usePermissions, type Permission, type PermissionKind, type PermissionStatus } from '../api/get-permissions';

const RETURN_TO = '/settings/claims';

const KINDS: Record<PermissionKind, { title: string; description: string; disableEffect: string }> = {
  search_and_link: {
    title: 'Search & Link',
    description:
      'Allow DataCite to add a work to your ORCID record when you choose “Add to ORCID record” for a DOI in DataCite Search.',
    disableEffect: 'DataCite Search will no longer be able to add works to your ORCID record.',
  },
  auto_update: {
    title: 'Auto-Update',
    description:
      'Allow DataCite to add works to your ORCID record automatically when your ORCID iD is included as a creator in the metadata of a DataCite DOI.',
    disableEffect: 'DataCite will stop adding new works to your ORCID record automatically.',
  },
};

const PILLS: Record<PermissionStatus, { label: string; tone: string }> = {
  active: { label: 'Enabled', tone: 'success' },
  missing: { label: 'Disabled', tone: 'neutral' },
  revoked: { label: 'Disabled', tone: 'neutral' },
  invalid: { label: 'Access revoked on ORCID — enable again', tone: 'danger' },
  expired: { label: 'Expired', tone: 'warning' },
};

/** The two ORCID permissions, each with its state and one action. */
export function OrcidPermissions() {
  const permissions = usePermissions();
  const disable = useDisablePermission();
  const [confirming, setConfirming] = useState<PermissionKind | null>(null);
  const [announcement, setAnnouncement] = useState('');

  if (permissions.isPending) return <Loading>Loading your ORCID permissions…</Loading>;
  if (permissions.isError) {
    return (
      <ErrorAlert
        error={permissions.error}
        context="Could not load your ORCID permissions."
        onRetry={() => void permissions.refetch()}
        retrying={permissions.isFetching}
      />
    );
  }

  const close = () => {
    setConfirming(null);
    disable.reset();
  };

  return (
    <>
      <div role="status" className="status-line">
        {announcement}
      </div>
      <div className="permission-grid">
        {(Object.keys(KINDS) as PermissionKind[]).map((kind) => {
          const permission = permissions.data.find((p) => p.kind === kind);
          return (
            <PermissionBox
              key={kind}
              kind={kind}
              permission={permission}
              onDisable={() => {
                setAnnouncement('');
                setConfirming(kind);
              }}
            />
          );
        })}
      </div>
      {confirming && (
        <ConfirmDialog
          title={`Disable ${KINDS[confirming].title}?`}
          confirmLabel="Disable"
          destructive
          busy={disable.isPending}
          error={disable.isError ? <ErrorAlert error={disable.error} context="Nothing was changed." /> : null}
          onConfirm={() => { disable.mutate(confirming, {
              onSuccess: () => {
                setAnnouncement(`${KINDS[confirming].title} is disabled.`);
                setConfirming(null);
              },
            }); }
          }
          onCancel={close}
        >
          <p>
            {KINDS[confirming].disableEffect} Profiles also revokes its access at ORCID. Works already on your record
            stay there. You can enable it again at any time.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}

interface PermissionBoxProps {
  kind: PermissionKind;
  /** Absent only if the server leaves a kind out; shown as never granted. */
  permission: Permission | undefined;
  onDisable: () => void;
}

function PermissionBox({ kind, permission, onDisable }: PermissionBoxProps) {
  const { title, description } = KINDS[kind];
  const status = permission?.status ?? 'missing';
  const pill = PILLS[status];
  const headingId = `permission-${kind}`;
  const enableUrl = permission ? withParams(permission.enable_url, { return_to: RETURN_TO }) : undefined;

  return (
    <section className="card permission" aria-labelledby={headingId}>
      <div className="card__header">
        <h3 id={headingId}>{title}</h3>
        <span className={`pill pill--${pill.tone}`}>{pill.label}</span>
      </div>
      <p>{description}</p>
      {permission && <PermissionDates permission={permission} />}
      {status === 'invalid' || status === 'expired' ? (
        <div role="alert" className="notice notice--warning">
          <p>
            {status === 'invalid'
              ? `ORCID no longer accepts DataCite's access for ${title}: it was probably revoked on orcid.org. Nothing is being added to your record.`
              : `DataCite's access for ${title} has expired. Nothing is being added to your record.`}
          </p>
          {enableUrl && (
            <a className="button" href={enableUrl}>
              Enable {title} again
            </a>
          )}
        </div>
      ) : status === 'active' ? (
        <button type="button" className="button button--secondary" onClick={onDisable}>
          Disable {title}
        </button>
      ) : (
        enableUrl && (
          <a className="button" href={enableUrl}>
            Enable {title}
          </a>
        )
      )}
    </section>
  );
}

function PermissionDates({ permission }: { permission: Permission }) {
  if (permission.status === 'active' && permission.granted_at) {
    return (
      <p className="muted">
        Enabled on {formatDate(permission.granted_at)}
        {permission.expires_at ? `, until ${formatDate(permission.expires_at)}` : ''}.
      </p>
    );
  }
  if (permission.status === 'revoked' && permission.revoked_at) {
    return <p className="muted">Disabled on {formatDate(permission.revoked_at)}.</p>;
  }
  return null;
}
