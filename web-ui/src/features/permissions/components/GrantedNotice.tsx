import type { ReactNode } from 'react';
import { SuccessNotice } from '../../../components/SuccessNotice';
import { permissionKind, VIA_INBOX } from '../../../lib/auth-urls';
import { madeJustNow, useFlowReturn } from '../../../lib/flow-return';
import { usePermissions } from '../api/get-permissions';
import { GRANTED_MESSAGES, INBOX_WELCOME } from '../permission-labels';

/** What the page the server lands a grant from an ORCID inbox request on gives its welcome. */
export interface InboxWelcome {
  /** A link to the Auto-Update settings: review mode, exclusions, the inbox requests. */
  settingsLink: ReactNode;
  /** The works Auto-Update is adding, under the notice. */
  works: ReactNode;
}

interface GrantedNoticeProps {
  /**
   * On the page "Grant permission" in an ORCID inbox request lands on (`?granted=auto_update&via=
   * inbox`): the welcome's link and the works on their way. Without it, that grant is told as any.
   */
  inboxWelcome?: InboxWelcome | undefined;
}

/**
 * Back from "Enable Search & Link" / "Enable Auto-Update" (`?granted=search_and_link`): says the
 * permission is enabled and what it does now. Only if it really is active, granted just now: a
 * link crafted to say so, a grant refused or cancelled at ORCID (`&error=`) or made as another
 * ORCID iD says nothing. Goes once it is no longer true (disabled), on dismissal and on navigation.
 *
 * After "Grant permission" in an ORCID inbox request (`&via=inbox`, on a page that gives
 * `inboxWelcome`), the same check, and then a welcome: the works the request named are being
 * added now (listed under it), new DOIs will be, and where to change that.
 */
export function GrantedNotice({ inboxWelcome }: GrantedNoticeProps) {
  const flow = useFlowReturn('granted');
  const permissions = usePermissions();
  const kind = permissionKind(flow.value);
  const permission = kind ? permissions.data?.find((p) => p.kind === kind) : undefined;
  const granted = kind !== null && permission?.status === 'active' && madeJustNow(permission.granted_at, flow.openedAt);
  const welcome = granted && kind === 'auto_update' && flow.via === VIA_INBOX ? inboxWelcome : undefined;

  // One notice either way, so its live region stays the one in the page as the message comes.
  return (
    <>
      <SuccessNotice
        heading={welcome ? INBOX_WELCOME.heading : undefined}
        message={welcome ? INBOX_WELCOME.message : granted ? GRANTED_MESSAGES[kind] : null}
        details={
          welcome && (
            <p>
              {INBOX_WELCOME.future} In {welcome.settingsLink} you can have Profiles ask you first (review mode),
              leave some DOIs out, or stop requests in your ORCID inbox.
            </p>
          )
        }
        onDismiss={flow.dismiss}
      />
      {welcome?.works}
    </>
  );
}
