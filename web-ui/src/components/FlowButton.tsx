import type { ReactNode } from 'react';
import type { FlowForm } from '../lib/auth-urls';

interface FlowButtonProps {
  /** Where the form posts and its hidden inputs (`grantForm`, `linkForm`, `finishSignupForm`). */
  form: FlowForm;
  /** The button's classes: it looks like the link it replaces. */
  className?: string;
  /** The id of what the button acts on (e.g. a row's title), for its accessible description. */
  describedBy?: string | undefined;
  children: ReactNode;
}

/**
 * One button that starts a browser flow with a same-origin form post (a full-page navigation to the
 * server, which redirects to the provider), never a fetch and never a link: the server refuses a
 * link or grant that another site started.
 */
export function FlowButton({ form, className = 'button', describedBy, children }: FlowButtonProps) {
  return (
    <form method="post" action={form.action} className="flow-form">
      {Object.entries(form.fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <button type="submit" className={className} aria-describedby={describedBy}>
        {children}
      </button>
    </form>
  );
}
