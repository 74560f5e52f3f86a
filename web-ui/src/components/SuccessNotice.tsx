import { useId, type ReactNode } from 'react';

interface SuccessNoticeProps {
  /** What went through, in a sentence; null while there is nothing to say. */
  message: string | null;
  /**
   * A heading above the message, for a notice that says more than a sentence ("Welcome to
   * Profiles"): the notice is then a region named by it.
   */
  heading?: string | undefined;
  /**
   * What follows the message (where to change things, with links): outside the live region, so
   * only the message is read out as it comes.
   */
  details?: ReactNode;
  onDismiss: () => void;
}

/**
 * "Your Google account … is now connected.": a polite live region that is always in the page, so
 * that what comes into it is read out, with a Dismiss button beside it once it says something.
 * Dismissing puts the focus back at the start of the page, as the button is gone.
 */
export function SuccessNotice({ message, heading, details, onDismiss }: SuccessNoticeProps) {
  const id = useId();
  const titled = Boolean(message && heading);
  return (
    // The same element throughout, so the live region in it stays the one in the page.
    <div
      className={message ? 'notice notice--success' : undefined}
      role={titled ? 'region' : undefined}
      aria-labelledby={titled ? `${id}-heading` : undefined}
    >
      {titled && (
        <h3 id={`${id}-heading`} className="notice__heading">
          {heading}
        </h3>
      )}
      <p id={id} role="status" className="notice__text">
        {message}
      </p>
      {message && details}
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
