import { useSearchParams } from 'react-router-dom';
import { FLOW_ERROR_MESSAGES, type FlowErrorMessages } from '../../../lib/auth-urls';

/**
 * A provider that refused or failed sends the browser back with `?error=access_denied` or
 * `?error=provider_error`. This says so in plain words, for the page it is on (`messages`: the
 * sign-in page says "Sign-in was cancelled"), and can be dismissed.
 */
export function FlowErrorNotice({ messages = FLOW_ERROR_MESSAGES }: { messages?: FlowErrorMessages }) {
  const [searchParams, setSearchParams] = useSearchParams();
  const code = searchParams.get('error');
  if (!code) return null;
  const dismiss = () => {
    const next = new URLSearchParams(searchParams);
    next.delete('error');
    setSearchParams(next, { replace: true });
  };
  return (
    <div role="alert" className="error">
      <p>{messages.byCode[code] ?? messages.unknown}</p>
      <button type="button" className="button button--secondary" onClick={dismiss}>
        Dismiss
      </button>
    </div>
  );
}
