import { SuccessNotice } from '../../../components/SuccessNotice';
import { PROVIDER_NAMES } from '../../../lib/auth-urls';
import { madeJustNow, useFlowReturn } from '../../../lib/flow-return';
import { useIdentities } from '../api/get-identities';
import type { Identity } from '../api/get-identities';
import { identityLabel } from '../identity-labels';

type Linkable = Exclude<Identity['provider'], 'orcid'>;

const linkable = (value: string | null): Linkable | null => (value === 'google' || value === 'github' ? value : null);

/**
 * Back from "Connect Google" / "Connect GitHub" (`?connected=google`): "Your Google account … is
 * now connected." naming the account as its row does (Google by its email, GitHub by its
 * username). Only if the account really has that identity, linked just now: a link crafted to say
 * so, or one that was cancelled at the provider (`&error=`), says nothing. Goes once it is no
 * longer true (unlinked), on dismissal and on navigation.
 */
export function ConnectedNotice() {
  const flow = useFlowReturn('connected');
  const identities = useIdentities();
  const provider = linkable(flow.value);
  const identity = provider ? identities.data?.find((i) => i.provider === provider) : undefined;
  const message =
    provider && identity && madeJustNow(identity.linked_at, flow.openedAt)
      ? `Your ${PROVIDER_NAMES[provider]} account ${identityLabel(identity).account} is now connected. You can sign in with it from now on.`
      : null;
  return <SuccessNotice message={message} onDismiss={flow.dismiss} />;
}
