import { FlowButton } from '../../../components/FlowButton';
import { grantForm } from '../../../lib/auth-urls';
import type { ClaimReason, ClaimRemedy } from '../../../lib/claims';

/** A claim's reason under its title: an error in red, an explanation (waiting, skipped) in grey. */
export function ClaimReasonText({ reason }: { reason: ClaimReason | null }) {
  if (!reason) return null;
  return <p className={`claim__error ${reason.tone === 'danger' ? 'text-danger' : 'muted'}`}>{reason.text}</p>;
}

interface ClaimRemedyButtonProps {
  remedy: ClaimRemedy | null;
  /** The id of the row's title, which the button describes itself by. */
  describedBy: string;
  /** Where ORCID sends the browser back to after "Enable …": this page. */
  returnTo: string;
  /** The action is under way (its button says so and is disabled). */
  busy?: boolean;
  /** What this page does for each remedy; a remedy the page does not offer has no button. */
  onRetry?: (() => void) | undefined;
  onAddAgain?: (() => void) | undefined;
  onRemove?: (() => void) | undefined;
}

/**
 * The one button a claim's row offers (`claimStatus(claim).remedy`): "Try again", "Add again" and
 * "Remove from ORCID record" call back; "Enable Search & Link" / "Enable Auto-Update" is a form post
 * that starts the grant at ORCID and comes back to `returnTo`, where the claim goes out by itself.
 */
export function ClaimRemedyButton({
  remedy,
  describedBy,
  returnTo,
  busy = false,
  onRetry,
  onAddAgain,
  onRemove,
}: ClaimRemedyButtonProps) {
  if (!remedy) return null;
  switch (remedy.kind) {
    case 'enable':
      return (
        <FlowButton form={grantForm(remedy.permission, returnTo)} describedBy={describedBy}>
          {remedy.label}
        </FlowButton>
      );
    case 'retry':
      return onRetry ? (
        <button type="button" className="button" aria-describedby={describedBy} disabled={busy} onClick={onRetry}>
          {busy ? 'Trying again…' : remedy.label}
        </button>
      ) : null;
    case 'add_again':
      return onAddAgain ? (
        <button type="button" className="button" aria-describedby={describedBy} disabled={busy} onClick={onAddAgain}>
          {busy ? 'Adding…' : remedy.label}
        </button>
      ) : null;
    case 'remove':
      return onRemove ? (
        <button type="button" className="button button--secondary" aria-describedby={describedBy} onClick={onRemove}>
          {remedy.label}
        </button>
      ) : null;
  }
}
