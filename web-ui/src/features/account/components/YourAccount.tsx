import { useEffect, useRef, useState } from 'react';
import type { Account } from '../api/get-account';
import { AccountEditForm } from './AccountEditForm';
import { AccountOverview } from './AccountOverview';

/** The "Your account" box: the overview, or the form that edits it. */
export function YourAccount({ account }: { account: Account }) {
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState(false);
  const editButtonRef = useRef<HTMLButtonElement>(null);
  const returnFocus = useRef(false);

  useEffect(() => {
    // The form is gone: put focus back where editing started.
    if (!editing && returnFocus.current) {
      returnFocus.current = false;
      editButtonRef.current?.focus();
    }
  }, [editing]);

  const finish = (didSave: boolean) => {
    returnFocus.current = true;
    setEditing(false);
    setSaved(didSave);
  };

  return (
    <section className="card" aria-labelledby="your-account-heading">
      <div className="card__header">
        <h2 id="your-account-heading">{editing ? 'Edit your account' : 'Your account'}</h2>
        {!editing && (
          <button
            ref={editButtonRef}
            type="button"
            className="button button--secondary"
            onClick={() => {
              setSaved(false);
              setEditing(true);
            }}
          >
            Edit
          </button>
        )}
      </div>
      <div role="status" className="status-line">
        {saved ? 'Your changes were saved.' : ''}
      </div>
      {editing ? <AccountEditForm account={account} onDone={finish} /> : <AccountOverview account={account} />}
    </section>
  );
}
