import { useState, type ReactNode } from 'react';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { Loading } from '../../../components/Loading';
import { formatDate } from '../../../lib/format';
import { useDisablePermission } from '../api/disable-permission';
import { usePermissions, type Permission, type PermissionKind, type PermissionStatus } from '../api/get-permissions';
import { PERMISSION_KINDS } from '../permission-labels';
import { AutoUpdateSchedule } from './AutoUpdateSchedule';
import { PermissionNotice } from './PermissionNotice';

/** Where ORCID sends the browser back to after a grant. */
const RETURN_TO = '/settings/claims';

const PILLS: Record<PermissionStatus, { label: string; tone: string }> = {
  active: { label: 'Enabled', tone: 'success' },
  missing: { label: 'Disabled', tone: 'neutral' },
  revoked: { label: 'Disabled', tone: 'neutral' },
  invalid: { label: 'Access revoked on ORCID — enable again', tone: 'danger' },
  expired: { label: 'Expired', tone: 'warning' },
};

interface OrcidPermissionsProps {
  /** More for a box, below its action: e.g. the link to the Search & Link search page. */
  extras?: Partial<Record<PermissionKind, ReactNode>>;
}

/**
 * The two ORCID permissions, each with its state and one action: Disable when active, else why it
 * is not working (not enabled, expired, revoked on orcid.org) and a button to enable it.
 */
export function OrcidPermissions({ extras = {} }: OrcidPermissionsProps) {
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
        {(Object.keys(PERMISSION_KINDS) as PermissionKind[]).map((kind) => {
          const permission = permissions.data.find((p) => p.kind === kind);
          return (
            <PermissionBox
              key={kind}
              kind={kind}
              permission={permission}
              extra={extras[kind]}
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
          title={`Disable ${PERMISSION_KINDS[confirming].title}?`}
          confirmLabel="Disable"
          destructive
          busy={disable.isPending}
          error={disable.isError ? <ErrorAlert error={disable.error} context="Nothing was changed." /> : null}
          onConfirm={() => {
            disable.mutate(confirming, {
              onSuccess: () => {
                setAnnouncement(`${PERMISSION_KINDS[confirming].title} is disabled.`);
                setConfirming(null);
              },
            });
          }}
          onCancel={close}
        >
          <p>
            {PERMISSION_KINDS[confirming].disableEffect} Profiles also revokes its access at ORCID. Works already on
            your record stay there. You can enable it again at any time.
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
  extra: ReactNode;
  onDisable: () => void;
}

function PermissionBox({ kind, permission, extra, onDisable }: PermissionBoxProps) {
  const { title, description } = PERMISSION_KINDS[kind];
  const status = permission?.status ?? 'missing';
  const pill = PILLS[status];
  const headingId = `permission-${kind}`;

  return (
    <section className="card permission" aria-labelledby={headingId}>
      <div className="card__header">
        <h3 id={headingId}>{title}</h3>
        <span className={`pill pill--${pill.tone}`}>{pill.label}</span>
      </div>
      <p>{description}</p>
      {kind === 'auto_update' && <AutoUpdateSchedule />}
      {permission && <PermissionDates permission={permission} />}
      {status === 'active' ? (
        <button type="button" className="button button--secondary" onClick={onDisable}>
          Disable {title}
        </button>
      ) : (
        <PermissionNotice kind={kind} permission={permission} returnTo={RETURN_TO} />
      )}
      {extra}
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
