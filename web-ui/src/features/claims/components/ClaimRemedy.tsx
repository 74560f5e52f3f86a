import { FlowButton } from '../../../components/FlowButton';
import { grantForm } from '../../../lib/auth-urls';
import type { ClaimReason, ClaimRemedy } from '../../../lib/claims';

/** A claim's reason under its title: an error in red, an explanation (waiting, skipped) in grey. */
export function ClaimReasonText({ reason }: { reason: ClaimReason | null }) {
  if (!reason) return null;
  return <p className={`claim__error ${reason.tone === 'danger' ? 'text-danger' : 'muted'}`}>{reason.text}</p>;
}

/** What a button says while its action is under way. */
const BUSY_LABELS: Partial<Record<ClaimRemedy['kind'], string>> = {
  retry: 'Trying again…',
  add_again: 'Adding…',
  dismiss: 'Dismissing…',
};

export interface ClaimActionHandlers {
  /** What this page does for each remedy; a remedy the page does not offer has no button. */
  onRetry?: (() => void) | undefined;
  onAddAgain?: (() => void) | undefined;
  onRemove?: (() => void) | undefined;
  onDismiss?: (() => void) | undefined;
}

interface ClaimRemedyButtonProps extends ClaimActionHandlers {
  remedy: ClaimRemedy | null;
  /** The id of the row's title, which the button describes itself by. */
  describedBy: string;
  /** Where ORCID sends the browser back to after "Enable …": this page. */
  returnTo: string;
  /**
   * Which of the row's actions is under way, if any: its button says so, and every button of the
   * row is disabled meanwhile.
   */
  busy?: ClaimRemedy['kind'] | null;
}

/**
 * One button a claim's row offers (`claimStatus(claim).remedy` or `.secondary`): "Try again",
 * "Dismiss", "Add again" and "Remove from ORCID record" call back; "Enable Search & Link" / "Enable
 * Auto-Update" is a form post that starts the grant at ORCID and comes back to `returnTo`, where
 * the claim goes out by itself.
 */
export function ClaimRemedyButton({
  remedy,
  describedBy,
  returnTo,
  busy = null,
  onRetry,
  onAddAgain,
  onRemove,
  onDismiss,
}: ClaimRemedyButtonProps) {
  if (!remedy) return null;
  if (remedy.kind === 'enable') {
    return (
      <FlowButton form={grantForm(remedy.permission, returnTo)} describedBy={describedBy}>
        {remedy.label}
      </FlowButton>
    );
  }
  const handlers = { retry: onRetry, add_again: onAddAgain, remove: onRemove, dismiss: onDismiss };
  const onClick = handlers[remedy.kind];
  if (!onClick) return null;
  // "Remove" opens a confirmation; "Dismiss" sits beside "Try again", which stays the first choice.
  const secondary = remedy.kind === 'remove' || remedy.kind === 'dismiss';
  return (
    <button
      type="button"
      className={secondary ? 'button button--secondary' : 'button'}
      aria-describedby={describedBy}
      disabled={busy !== null && remedy.kind !== 'remove'}
      onClick={onClick}
    >
      {busy === remedy.kind ? (BUSY_LABELS[remedy.kind] ?? remedy.label) : remedy.label}
    </button>
  );
}

interface ClaimActionsProps extends ClaimActionHandlers {
  remedy: ClaimRemedy | null;
  secondary: ClaimRemedy | null;
  describedBy: string;
  returnTo: string;
  busy?: ClaimRemedy['kind'] | null;
}

/** A row's buttons: the remedy, then the other way out beside it ("Dismiss"); nothing if neither. */
export function ClaimActions({ remedy, secondary, ...rest }: ClaimActionsProps) {
  if (!remedy && !secondary) return null;
  return (
    <div className="form__actions">
      <ClaimRemedyButton remedy={remedy} {...rest} />
      <ClaimRemedyButton remedy={secondary} {...rest} />
    </div>
  );
}
