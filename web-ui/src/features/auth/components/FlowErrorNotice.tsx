import { useSearchParams } from 'react-router-dom';
import { FLOW_ERROR_MESSAGES, UNKNOWN_FLOW_ERROR } from '../../../lib/auth-urls';

/**
 * A provider that refused or failed sends the browser back with `?error=access_denied` or
 * `?error=provider_error`. This says so in plain words, and can be dismissed.
 */
export function FlowErrorNotice() {
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
      <p>{FLOW_ERROR_MESSAGES[code] ?? UNKNOWN_FLOW_ERROR}</p>
      <button type="button" className="button button--secondary" onClick={dismiss}>
        Dismiss
      </button>
    </div>
  );
}
