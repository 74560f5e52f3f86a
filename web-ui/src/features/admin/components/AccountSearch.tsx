import { useId, useState, type SubmitEvent } from 'react';
import { Link, useLocation, useSearchParams } from 'react-router-dom';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { Loading } from '../../../components/Loading';
import { formatDate } from '../../../lib/format';
import { displayName, ROLE_LABELS, type Role } from '../../../lib/roles';
import { Pagination } from '../../../components/Pagination';
import { ADMIN_PATHS } from '../admin-paths';
import { useAccountSearch, type AccountSearch as Search, type AdminAccountSummary } from '../api/search-accounts';

const ROLES = Object.keys(ROLE_LABELS) as Role[];

function positiveInt(value: string | null): number | undefined {
  const n = Number(value);
  return value && Number.isInteger(n) && n > 0 ? n : undefined;
}

/** The search, read from the address bar so that Back from an account returns to it. */
function useSearchFromUrl(): [Search, (changes: Partial<Record<'q' | 'role' | 'year' | 'page', string>>) => void] {
  const [params, setParams] = useSearchParams();
  const search: Search = {
    q: params.get('q') ?? '',
    role: params.get('role') ?? '',
    createdYear: positiveInt(params.get('year')),
    page: positiveInt(params.get('page')) ?? 1,
  };
  const update = (changes: Partial<Record<'q' | 'role' | 'year' | 'page', string>>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    // A new search or filter starts at its first page.
    if (!('page' in changes)) next.delete('page');
    setParams(next, { replace: true });
  };
  return [search, update];
}

const withCount = (label: string, count: number | undefined) => (count === undefined ? label : `${label} (${count})`);

/** Find an account by name, ORCID iD or email, filter by role and year created, page through. */
export function AccountSearch() {
  const id = useId();
  const [search, update] = useSearchFromUrl();
  const [text, setText] = useState(search.q);
  const accounts = useAccountSearch(search);
  const meta = accounts.data?.meta;
  // Handed to the account page, for its way back to this search.
  const { search: backSearch } = useLocation();

  const years = Object.keys(meta?.created_years ?? {})
    .map(Number)
    .filter((y) => Number.isInteger(y));
  if (search.createdYear && !years.includes(search.createdYear)) years.push(search.createdYear);
  years.sort((a, b) => b - a);

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    update({ q: text.trim() });
  };

  let body;
  if (accounts.isPending) {
    body = <Loading>Loading accounts…</Loading>;
  } else if (accounts.isError) {
    body = (
      <ErrorAlert
        error={accounts.error}
        context="Could not load the accounts."
        onRetry={() => void accounts.refetch()}
        retrying={accounts.isFetching}
      />
    );
  } else if (accounts.data.data.length === 0) {
    body = <p className="muted">No accounts match.</p>;
  } else {
    const list = accounts.data;
    body = (
      <>
        <p className="muted">{list.meta.total === 1 ? '1 account' : `${list.meta.total} accounts`}</p>
        <ul className="session-list" aria-label="Accounts">
          {list.data.map((account) => (
            <AccountRow key={account.id} account={account} backSearch={backSearch} />
          ))}
        </ul>
        <Pagination
          label="Account pages"
          page={list.meta.page}
          totalPages={list.meta.total_pages}
          busy={accounts.isFetching}
          onPage={(page) => {
            update({ page: String(page) });
          }}
        />
      </>
    );
  }

  return (
    <section className="card" aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`}>Find an account</h3>
      <form className="search-form" role="search" aria-label="Account search" onSubmit={submit}>
        <div className="field">
          <label htmlFor={`${id}-q`}>Search accounts</label>
          <input
            id={`${id}-q`}
            type="search"
            value={text}
            aria-describedby={`${id}-q-hint`}
            onChange={(event) => {
              setText(event.target.value);
            }}
          />
          <p id={`${id}-q-hint`} className="field__hint">
            Name, ORCID iD or email; part of one is enough.
          </p>
        </div>
        <button type="submit" className="button">
          Search
        </button>
      </form>
      <div className="claims-filters">
        <div className="field">
          <label htmlFor={`${id}-role`}>Role</label>
          <select
            id={`${id}-role`}
            value={search.role}
            onChange={(event) => {
              update({ role: event.target.value });
            }}
          >
            <option value="">All roles</option>
            {ROLES.map((role) => (
              <option key={role} value={role}>
                {withCount(ROLE_LABELS[role], meta ? (meta.roles[role] ?? 0) : undefined)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-year`}>Created in</label>
          <select
            id={`${id}-year`}
            value={search.createdYear ?? ''}
            onChange={(event) => {
              update({ year: event.target.value });
            }}
          >
            <option value="">Any year</option>
            {years.map((year) => (
              <option key={year} value={year}>
                {withCount(String(year), meta?.created_years[String(year)])}
              </option>
            ))}
          </select>
        </div>
      </div>
      {body}
    </section>
  );
}

/** What the account page is given to link back to the search it came from. */
export interface FromSearch {
  adminSearch: string;
}

function AccountRow({ account, backSearch }: { account: AdminAccountSummary; backSearch: string }) {
  const from: FromSearch = { adminSearch: backSearch };
  return (
    <li className="session">
      <div className="session__what">
        <strong>
          <Link to={ADMIN_PATHS.account(account.orcid)} state={from}>
            {displayName(account)}
          </Link>
        </strong>
        <span className="pill pill--neutral">{ROLE_LABELS[account.role]}</span>
        {account.claims_failed > 0 && (
          <span className="pill pill--danger">
            {account.claims_failed === 1 ? '1 failed claim' : `${account.claims_failed} failed claims`}
          </span>
        )}
        <span className="session__agent">
          {account.orcid}
          {account.email ? ` · ${account.email}` : ''}
          {account.provider_id ? ` · provider ${account.provider_id}` : ''}
          {account.client_id ? ` · client ${account.client_id}` : ''}
        </span>
      </div>
      <dl className="session__facts">
        <div>
          <dt>Created</dt>
          <dd>
            <time dateTime={account.created_at}>{formatDate(account.created_at)}</time>
          </dd>
        </div>
        <div>
          <dt>Claims</dt>
          <dd>{account.claims}</dd>
        </div>
      </dl>
    </li>
  );
}
