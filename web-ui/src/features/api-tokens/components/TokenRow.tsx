import { formatDate, formatDateTime } from '../../../lib/format';
import type { ApiToken } from '../api/get-api-tokens';
import { TOKEN_STATUS_PILLS, tokenStatus } from '../scopes';

/** One token: name, state, the start of its secret, scopes, dates and last use. */
export function TokenRow({ token, onRevoke }: { token: ApiToken; onRevoke: () => void }) {
  const status = tokenStatus(token);
  const pill = TOKEN_STATUS_PILLS[status];
  return (
    <li className="session">
      <div className="session__what">
        <strong>{token.name}</strong>
        <span className={`pill pill--${pill.tone}`}>{pill.label}</span>
        <span className="session__agent">
          <code>{token.hint}</code>
        </span>
      </div>
      <dl className="session__facts">
        <div>
          <dt>Scopes</dt>
          <dd>{token.scopes.join(', ')}</dd>
        </div>
        <div>
          <dt>Last used</dt>
          <dd>
            {token.last_used_at ? (
              <time dateTime={token.last_used_at}>{formatDateTime(token.last_used_at)}</time>
            ) : (
              'Never used'
            )}
          </dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>
            <time dateTime={token.created_at}>{formatDate(token.created_at)}</time>
          </dd>
        </div>
        {token.revoked_at ? (
          <div>
            <dt>Revoked</dt>
            <dd>
              <time dateTime={token.revoked_at}>{formatDate(token.revoked_at)}</time>
            </dd>
          </div>
        ) : (
          <div>
            <dt>{status === 'expired' ? 'Expired' : 'Expires'}</dt>
            <dd>
              {token.expires_at ? <time dateTime={token.expires_at}>{formatDate(token.expires_at)}</time> : 'Never'}
            </dd>
          </div>
        )}
      </dl>
      {status === 'active' && (
        <button type="button" className="button button--secondary" aria-label={`Revoke ${token.name}`} onClick={onRevoke}>
          Revoke
        </button>
      )}
    </li>
  );
}
