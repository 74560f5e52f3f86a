import { useEffect, useId, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { errorMessage } from '../../../api/errors';
import { useLogout } from '../api/logout';

interface UserMenuProps {
  /** The name on the button. */
  name: string;
  orcidUrl: string;
  /** "Your DOIs in DataCite Search", when the search site is known. */
  searchUrl?: string | undefined;
}

/**
 * The top-right menu of a signed-in person: a disclosure button (not an ARIA menu: these are
 * ordinary links, reached with Tab). Escape or a click elsewhere closes it.
 */
export function UserMenu({ name, orcidUrl, searchUrl }: UserMenuProps) {
  const [open, setOpen] = useState(false);
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const listId = useId();
  const navigate = useNavigate();
  const logout = useLogout();

  useEffect(() => {
    const root = rootRef.current;
    if (!open || !root) return;
    const close = () => {
      setOpen(false);
    };
    const onPointerDown = (event: PointerEvent) => {
      if (!root.contains(event.target as Node)) close();
    };
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      close();
      buttonRef.current?.focus();
    };
    // Tabbing out of the menu closes it.
    const onFocusOut = (event: FocusEvent) => {
      if (event.relatedTarget instanceof Node && !root.contains(event.relatedTarget)) close();
    };
    document.addEventListener('pointerdown', onPointerDown);
    root.addEventListener('keydown', onKeyDown);
    root.addEventListener('focusout', onFocusOut);
    return () => {
      document.removeEventListener('pointerdown', onPointerDown);
      root.removeEventListener('keydown', onKeyDown);
      root.removeEventListener('focusout', onFocusOut);
    };
  }, [open]);

  const signOut = () => {
    logout.mutate(undefined, {
      onSuccess: () => {
        setOpen(false);
        void navigate('/sign-in', { replace: true });
      },
    });
  };

  return (
    <div ref={rootRef} className="user-menu">
      <button
        ref={buttonRef}
        type="button"
        className="button user-menu__button"
        aria-expanded={open}
        aria-controls={listId}
        onClick={() => {
          setOpen((o) => !o);
        }}
      >
        {name}
        <span aria-hidden="true" className="user-menu__caret">
          ▾
        </span>
      </button>
      <ul id={listId} className="user-menu__list" hidden={!open}>
        <li>
          <Link
            to="/settings"
            onClick={() => {
              setOpen(false);
            }}
          >
            Personal Settings
          </Link>
        </li>
        {searchUrl && (
          <li>
            <a href={searchUrl}>Your DOIs in DataCite Search</a>
          </li>
        )}
        <li>
          <a href={orcidUrl}>ORCID record</a>
        </li>
        <li className="user-menu__divider">
          <button type="button" className="user-menu__item" onClick={signOut} disabled={logout.isPending}>
            {logout.isPending ? 'Signing out…' : 'Sign out'}
          </button>
        </li>
        {logout.isError && (
          <li role="alert" className="user-menu__error">
            Could not sign out. {errorMessage(logout.error)}
          </li>
        )}
      </ul>
    </div>
  );
}
