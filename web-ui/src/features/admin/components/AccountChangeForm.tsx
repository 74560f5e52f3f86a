import { useId, useState, type SubmitEvent } from 'react';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { ROLE_LABELS, type Role } from '../../../lib/roles';
import type { AdminAccountSummary } from '../api/search-accounts';
import { useUpdateAdminAccount, type AdminAccountUpdate } from '../api/update-admin-account';

const ROLES = Object.keys(ROLE_LABELS) as Role[];

interface AccountChangeFormProps {
  account: AdminAccountSummary;
  /** Nobody changes their own role: the select is left out on one's own account. */
  isSelf: boolean;
}

/** Role and flags, for staff admins. Only what changed is sent; every change is audited. */
export function AccountChangeForm({ account, isSelf }: AccountChangeFormProps) {
  const id = useId();
  const update = useUpdateAdminAccount(account.orcid);
  const [role, setRole] = useState<Role>(account.role);
  const [isPublic, setIsPublic] = useState(account.is_public);
  const [betaTester, setBetaTester] = useState(account.beta_tester);
  const [saved, setSaved] = useState('');

  const changes: AdminAccountUpdate = {};
  if (!isSelf && role !== account.role) changes.role = role;
  if (isPublic !== account.is_public) changes.is_public = isPublic;
  if (betaTester !== account.beta_tester) changes.beta_tester = betaTester;
  const changed = Object.keys(changes).length > 0;

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!changed) {
      setSaved('Nothing was changed.');
      return;
    }
    setSaved('');
    update.mutate(changes, {
      onSuccess: () => {
        setSaved('The account was changed.');
      },
    });
  };

  return (
    <section className="card" aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`}>Change account</h3>
      <form className="form" onSubmit={submit} aria-labelledby={`${id}-heading`}>
        {update.isError && <ErrorAlert error={update.error} context="The account was not changed." />}
        <div role="status" className="status-line">
          {saved}
        </div>
        {isSelf ? (
          <p className="muted">You cannot change your own role.</p>
        ) : (
          <div className="field">
            <label htmlFor={`${id}-role`}>Role</label>
            <select
              id={`${id}-role`}
              value={role}
              onChange={(event) => {
                setSaved('');
                setRole(event.target.value as Role);
              }}
            >
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {ROLE_LABELS[r]}
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="field field--checkbox">
          <input
            id={`${id}-public`}
            type="checkbox"
            checked={isPublic}
            onChange={(event) => {
              setSaved('');
              setIsPublic(event.target.checked);
            }}
          />
          <label htmlFor={`${id}-public`}>Shown in public listings</label>
        </div>
        <div className="field field--checkbox">
          <input
            id={`${id}-beta`}
            type="checkbox"
            checked={betaTester}
            onChange={(event) => {
              setSaved('');
              setBetaTester(event.target.checked);
            }}
          />
          <label htmlFor={`${id}-beta`}>Beta tester</label>
        </div>
        <div className="form__actions">
          <button type="submit" className="button" disabled={update.isPending}>
            {update.isPending ? 'Saving…' : 'Save changes'}
          </button>
        </div>
      </form>
    </section>
  );
}
