import { SuccessNotice } from '../../../components/SuccessNotice';
import { permissionKind } from '../../../lib/auth-urls';
import { madeJustNow, useFlowReturn } from '../../../lib/flow-return';
import { usePermissions } from '../api/get-permissions';
import { GRANTED_MESSAGES } from '../permission-labels';

/**
 * Back from "Enable Search & Link" / "Enable Auto-Update" (`?granted=search_and_link`): says the
 * permission is enabled and what it does now. Only if it really is active, granted just now: a
 * link crafted to say so, a grant refused or cancelled at ORCID (`&error=`) or made as another
 * ORCID iD says nothing. Goes once it is no longer true (disabled), on dismissal and on navigation.
 */
export function GrantedNotice() {
  const flow = useFlowReturn('granted');
  const permissions = usePermissions();
  const kind = permissionKind(flow.value);
  const permission = kind ? permissions.data?.find((p) => p.kind === kind) : undefined;
  const message =
    kind && permission?.status === 'active' && madeJustNow(permission.granted_at, flow.openedAt)
      ? GRANTED_MESSAGES[kind]
      : null;
  return <SuccessNotice message={message} onDismiss={flow.dismiss} />;
}
