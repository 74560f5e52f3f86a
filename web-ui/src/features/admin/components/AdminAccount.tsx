import type { ReactNode } from 'react';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { Loading } from '../../../components/Loading';
import { formatDate, formatDateTime } from '../../../lib/format';
import { PROVIDER_NAMES } from '../../../lib/auth-urls';
import { displayName, isStaff, isStaffAdmin, ROLE_LABELS, type Role } from '../../../lib/roles';
import { CLAIM_STATE_ORDER, claimStateLabel, SOURCE_LABELS } from '../../../lib/claims';
import { PERMISSION_HEALTH, PERMISSION_TITLES, TOKEN_STATE } from '../admin-labels';
import { useAdminAccount, type AdminAccountDetail } from '../api/get-admin-account';
import { AccountChangeForm } from './AccountChangeForm';
import { AdminActivity } from './AdminActivity';
import { AdminClaims } from './AdminClaims';
import { AuditList } from './AuditList';
import { NotificationHistory } from './NotificationHistory';

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

const NOT_SET = <span className="muted">Not set</span>;

interface AdminAccountProps {
  orcid: string;
  /** The signed-in administrator. */
  me: { orcid: string; role: Role };
  /** The way back, shown above the heading. */
  backLink: ReactNode;
}

/**
 * One account for administrators: facts, role and flags (staff admins), identities, ORCID
 * permission health, claim counts, and for staff its claims (with why they failed), the activity
 * in its ORCID record (ORCID's status and our error codes as they are), the permission requests
 * sent to its ORCID inbox and its audit.
 */
export function AdminAccount({ orcid, me, backLink }: AdminAccountProps) {
  const detail = useAdminAccount(orcid);

  if (detail.isPending || detail.isError) {
    return (
      <section className="card" aria-labelledby="admin-account-heading">
        <title>Account · Admin · Profiles</title>
        {backLink}
        <h2 id="admin-account-heading">{orcid}</h2>
        {detail.isPending ? (
          <Loading>Loading the account…</Loading>
        ) : (
          <ErrorAlert
            error={detail.error}
            context="Could not load the account."
            onRetry={() => void detail.refetch()}
            retrying={detail.isFetching}
          />
        )}
      </section>
    );
  }

  const { account } = detail.data;
  const name = displayName(account);
  const staff = isStaff(me.role);
  const staffAdmin = isStaffAdmin(me.role);
  return (
    <>
      <section className="card" aria-labelledby="admin-account-heading">
        <title>{`${name} · Admin · Profiles`}</title>
        {backLink}
        <h2 id="admin-account-heading">{name}</h2>
        <dl className="details">
          <Fact term="ORCID iD">{account.orcid}</Fact>
          <Fact term="Name">{account.name ?? NOT_SET}</Fact>
          <Fact term="Email">{account.email ?? NOT_SET}</Fact>
          <Fact term="Role">{ROLE_LABELS[account.role]}</Fact>
          <Fact term="Provider">{account.provider_id ?? NOT_SET}</Fact>
          <Fact term="Client">{account.client_id ?? NOT_SET}</Fact>
          <Fact term="Public">{account.is_public ? 'Shown in public listings' : 'Hidden from public listings'}</Fact>
          <Fact term="Beta tester">{account.beta_tester ? 'Yes' : 'No'}</Fact>
          <Fact term="Account created">
            <time dateTime={account.created_at}>{formatDate(account.created_at)}</time>
          </Fact>
          <Fact term="Claims">
            {account.claims}
            {account.claims_failed > 0 && <span className="text-danger"> ({account.claims_failed} failed)</span>}
          </Fact>
        </dl>
      </section>
      {staffAdmin && (
        <AccountChangeForm
          account={account}
          isSelf={account.orcid === me.orcid}
        />
      )}
      <Identities detail={detail.data} />
      <Permissions detail={detail.data} />
      <ClaimCounts detail={detail.data} />
      {staff ? (
        <>
          <AdminClaims
            heading="Claims"
            orcid={account.orcid}
            canManage={staffAdmin}
            failedCount={detail.data.claim_states.failed ?? 0}
          />
          <AdminActivity heading="Activity in this ORCID record" orcid={account.orcid} />
          <NotificationHistory heading="ORCID inbox notifications" orcid={account.orcid} />
          <AuditList heading="Recent changes to this account" targetId={account.orcid} />
        </>
      ) : (
        <p className="muted">
          The claims themselves, the activity in the ORCID record, the ORCID inbox notifications and the audit log are
          shown to DataCite staff.
        </p>
      )}
    </>
  );
}

function Identities({ detail }: { detail: AdminAccountDetail }) {
  return (
    <section className="card" aria-labelledby="admin-identities-heading">
      <h3 id="admin-identities-heading">Sign-in identities</h3>
      {detail.identities.length === 0 ? (
        <p className="muted">No linked identities.</p>
      ) : (
        <ul className="session-list">
          {detail.identities.map((identity) => {
            const token = TOKEN_STATE[identity.token_state];
            return (
              <li key={identity.provider} className="session">
                <div className="session__what">
                  <strong>{PROVIDER_NAMES[identity.provider]}</strong>
                  <span className={`pill pill--${token.tone}`}>{token.label}</span>
                  <span className="session__agent">
                    {[identity.display_name, identity.email, identity.subject].filter(Boolean).join(' · ')}
                  </span>
                </div>
                <dl className="session__facts">
                  <div>
                    <dt>Linked</dt>
                    <dd>
                      <time dateTime={identity.linked_at}>{formatDate(identity.linked_at)}</time>
                    </dd>
                  </div>
                  <div>
                    <dt>Last used</dt>
                    <dd>
                      {identity.last_used_at ? (
                        <time dateTime={identity.last_used_at}>{formatDateTime(identity.last_used_at)}</time>
                      ) : (
                        'Never'
                      )}
                    </dd>
                  </div>
                </dl>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function Permissions({ detail }: { detail: AdminAccountDetail }) {
  return (
    <section className="card" aria-labelledby="admin-permissions-heading">
      <h3 id="admin-permissions-heading">ORCID permissions</h3>
      <ul className="session-list">
        {detail.permissions.map((permission) => {
          const health = PERMISSION_HEALTH[permission.status];
          const dated = Boolean(permission.granted_at ?? permission.expires_at ?? permission.revoked_at);
          return (
            <li key={permission.kind} className="session">
              <div className="session__what">
                <strong>{PERMISSION_TITLES[permission.kind]}</strong>
                <span className={`pill pill--${health.tone}`}>{health.label}</span>
              </div>
              {dated && (
                <dl className="session__facts">
                  {permission.granted_at && (
                    <div>
                      <dt>Granted</dt>
                      <dd>
                        <time dateTime={permission.granted_at}>{formatDate(permission.granted_at)}</time>
                      </dd>
                    </div>
                  )}
                  {permission.expires_at && (
                    <div>
                      <dt>Expires</dt>
                      <dd>
                        <time dateTime={permission.expires_at}>{formatDate(permission.expires_at)}</time>
                      </dd>
                    </div>
                  )}
                  {permission.revoked_at && (
                    <div>
                      <dt>Revoked</dt>
                      <dd>
                        <time dateTime={permission.revoked_at}>{formatDate(permission.revoked_at)}</time>
                      </dd>
                    </div>
                  )}
                </dl>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function ClaimCounts({ detail }: { detail: AdminAccountDetail }) {
  const sourceLabels: Partial<Record<string, string>> = SOURCE_LABELS;
  const sources = Object.keys(detail.claim_sources);
  return (
    <section className="card" aria-labelledby="admin-claim-counts-heading">
      <h3 id="admin-claim-counts-heading">Claim counts</h3>
      <h4>By state</h4>
      <dl className="facts facts--compact">
        {CLAIM_STATE_ORDER.admin.map((state) => (
          <div key={state}>
            <dt>{claimStateLabel(state, 'admin')}</dt>
            <dd>{detail.claim_states[state] ?? 0}</dd>
          </div>
        ))}
      </dl>
      <h4>By source</h4>
      <dl className="facts facts--compact">
        {sources.map((source) => (
          <div key={source}>
            <dt>{sourceLabels[source] ?? source}</dt>
            <dd>{detail.claim_sources[source]}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
