import { useId } from 'react';

interface SuccessNoticeProps {
  /** What went through, in a sentence; null while there is nothing to say. */
  message: string | null;
  onDismiss: () => void;
}

/**
 * "Your Google account … is now connected.": a polite live region that is always in the page, so
 * that what comes into it is read out, with a Dismiss button beside it once it says something.
 * Dismissing puts the focus back at the start of the page, as the button is gone.
 */
export function SuccessNotice({ message, onDismiss }: SuccessNoticeProps) {
  const id = useId();
  return (
    <div className={message ? 'notice notice--success' : undefined}>
      <p id={id} role="status" className="notice__text">
        {message}
      </p>
      {message && (
        <div className="notice__actions">
          <button
            type="button"
            className="button button--secondary"
            aria-describedby={id}
            onClick={() => {
              onDismiss();
              document.getElementById('main')?.focus();
            }}
          >
            Dismiss
          </button>
        </div>
      )}
    </div>
  );
}
