import { skipToken, useQuery } from '@tanstack/react-query';
import { useLocation, useSearchParams } from 'react-router-dom';
import { ME_KEY } from '../../../api/query-keys';
import type { components } from '../../../api/schema';
import { FlowButton } from '../../../components/FlowButton';
import {
  FLOW_ERROR_MESSAGES,
  GRANT_WRONG_ORCID,
  grantForm,
  PERMISSION_TITLES,
  permissionKind,
  withoutFlowError,
  type FlowErrorMessages,
  type PermissionKind,
} from '../../../lib/auth-urls';

/**
 * A provider that refused or failed sends the browser back with `?error=access_denied` or
 * `?error=provider_error`. This says so in plain words, for the page it is on (`messages`: the
 * sign-in page says "Sign-in was cancelled"), and can be dismissed.
 *
 * A grant made at ORCID as another ORCID iD than the account's comes back with
 * `?error=grant_wrong_orcid&kind=…`: that gets its explanation and one button that grants again,
 * ORCID asking for the password afresh (`fresh_login=true`), back to this page.
 */
export function FlowErrorNotice({ messages = FLOW_ERROR_MESSAGES }: { messages?: FlowErrorMessages }) {
  const [searchParams, setSearchParams] = useSearchParams();
  const { pathname } = useLocation();
  const code = searchParams.get('error');
  if (!code) return null;
  const dismiss = () => {
    const next = new URLSearchParams(searchParams);
    if (code === GRANT_WRONG_ORCID) next.delete('kind');
    next.delete('error');
    setSearchParams(next, { replace: true });
  };
  const kind = permissionKind(searchParams.get('kind'));
  if (code === GRANT_WRONG_ORCID && kind) {
    return (
      <GrantWrongOrcid
        kind={kind}
        returnTo={withoutFlowError(pathname, searchParams.toString())}
        onDismiss={dismiss}
      />
    );
  }
  return (
    <div role="alert" className="error">
      <p>{messages.byCode[code] ?? messages.unknown}</p>
      <button type="button" className="button button--secondary" onClick={dismiss}>
        Dismiss
      </button>
    </div>
  );
}

type Account = components['schemas']['AccountView'];

/**
 * The signed-in account's ORCID iD if the page already loaded the account (the settings pages
 * do), without asking the server itself.
 */
function useKnownOrcid(): string | undefined {
  const account = useQuery<Account>({ queryKey: ME_KEY, queryFn: skipToken });
  return account.data?.orcid;
}

interface GrantWrongOrcidProps {
  kind: PermissionKind;
  /** This page, without the `?error=`: where ORCID sends the browser back to after granting. */
  returnTo: string;
  onDismiss: () => void;
}

function GrantWrongOrcid({ kind, returnTo, onDismiss }: GrantWrongOrcidProps) {
  const known = useKnownOrcid();
  // An iD is read as one word: not broken at its hyphens.
  const orcid = known ? <span className="orcid-id">{known}</span> : null;
  const title = PERMISSION_TITLES[kind];
  return (
    <div role="alert" className="notice notice--warning">
      <p>
        You granted access while signed in to orcid.org as another ORCID iD. {title} was not enabled: it can only be
        granted by {orcid ? <>the ORCID iD of this account, {orcid}</> : 'the ORCID iD of this account'}.
      </p>
      <p>
        Sign in to ORCID again{orcid && <> as {orcid}</>} — ORCID asks for your password this time — and grant
        access there. You come back to this page.
      </p>
      <div className="notice__actions">
        <FlowButton form={grantForm(kind, returnTo, { freshLogin: true })}>Sign in to ORCID again and grant</FlowButton>
        <button type="button" className="button button--secondary" onClick={onDismiss}>
          Dismiss
        </button>
      </div>
    </div>
  );
}
