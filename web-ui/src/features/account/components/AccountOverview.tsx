import type { ReactNode } from 'react';
import { formatDate } from '../../../lib/format';
import type { Account } from '../api/get-account';
import { ROLE_LABELS } from '../../../lib/roles';
import { emailSource, emailSourceWords } from '../email-source';

const NOT_SET = <span className="muted">Not set</span>;

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** The address, and where it came from when a linked service gave it. */
function Email({ email, account }: { email: string; account: Account }) {
  const source = emailSource(account);
  return (
    <>
      {email}
      {source && (
        <>
          {' '}
          <span className="fact__note">{emailSourceWords(source)}</span>
        </>
      )}
    </>
  );
}

/** What Profiles knows about the person, filled from ORCID and the linked services. */
export function AccountOverview({ account }: { account: Account }) {
  return (
    <dl className="details">
      <Fact term="Name">{account.name ?? NOT_SET}</Fact>
      <Fact term="Given names">{account.given_names ?? NOT_SET}</Fact>
      <Fact term="Family name">{account.family_name ?? NOT_SET}</Fact>
      <Fact term="Other names">
        {account.other_names.length > 0 ? (
          <ul className="plain-list">
            {account.other_names.map((name) => (
              <li key={name}>{name}</li>
            ))}
          </ul>
        ) : (
          <span className="muted">None</span>
        )}
      </Fact>
      <Fact term="ORCID iD">
        <a href={account.orcid_url}>{account.orcid}</a>
      </Fact>
      <Fact term="Email">{account.email ? <Email email={account.email} account={account} /> : NOT_SET}</Fact>
      <Fact term="Public">{account.is_public ? 'Shown in public listings' : 'Hidden from public listings'}</Fact>
      <Fact term="Role">{ROLE_LABELS[account.role]}</Fact>
      {account.provider_id && <Fact term="Provider">{account.provider_id}</Fact>}
      {account.client_id && <Fact term="Client">{account.client_id}</Fact>}
      <Fact term="Beta tester">{account.beta_tester ? 'Yes' : 'No'}</Fact>
      <Fact term="Account created">
        <time dateTime={account.created_at}>{formatDate(account.created_at)}</time>
      </Fact>
    </dl>
  );
}
