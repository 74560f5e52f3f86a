import { FlowButton } from '../../../components/FlowButton';
import { grantForm } from '../../../lib/auth-urls';
import { usePermissions, type Permission, type PermissionKind } from '../api/get-permissions';
import { permissionProblem } from '../permission-labels';

interface PermissionNoticeProps {
  kind: PermissionKind;
  /** Absent only if the server leaves a kind out; shown as never granted. */
  permission: Permission | undefined;
  /** Where ORCID sends the browser back to after granting. */
  returnTo: string;
}

/**
 * Says in plain words that a permission is not enabled, has expired or was revoked on orcid.org,
 * with a button to enable it (again): a form post to the grant flow, which goes through ORCID and
 * comes back to `returnTo`. Nothing when it is active.
 */
export function PermissionNotice({ kind, permission, returnTo }: PermissionNoticeProps) {
  const problem = permissionProblem(kind, permission?.status ?? 'missing');
  if (!problem) return null;
  const body = (
    <>
      <p>{problem.message}</p>
      <FlowButton form={grantForm(kind, returnTo)}>{problem.enableLabel}</FlowButton>
    </>
  );
  return problem.urgent ? (
    <div role="alert" className="notice notice--warning">
      {body}
    </div>
  ) : (
    <div className="notice notice--info">{body}</div>
  );
}

/**
 * The notice for one permission, loading the permissions itself: for pages that depend on a
 * permission without showing its box. Says nothing while loading or if they cannot be loaded (the
 * ORCID claims page shows that error).
 */
export function PermissionStatusNotice({ kind, returnTo }: { kind: PermissionKind; returnTo: string }) {
  const permissions = usePermissions();
  if (!permissions.isSuccess) return null;
  return (
    <PermissionNotice kind={kind} permission={permissions.data.find((p) => p.kind === kind)} returnTo={returnTo} />
  );
}
