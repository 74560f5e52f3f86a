import type { Claim } from './types';

/**
 * What a claim's error says to its person, in plain sentences keyed on the error's `code`: never
 * the provider's status line the API keeps in `message` ("ORCID is unavailable: HTTP 500: …",
 * "ORCID refused the request (HTTP 400): …"). That raw message is for staff, whom the admin area
 * shows it with the code.
 *
 * Whether it will be tried again decides the second half: a claim still queued after a failed
 * attempt is retried on its own ("We will try again on our own."), a failed one waits for the
 * person ("Try again later.", beside the row's "Try again").
 */
export type ClaimErrorInput = Pick<Claim, 'state' | 'action'> & { error?: Claim['error'] };

/**
 * Codes whose messages the server writes for people: why a claim waits for a permission ("Search &
 * Link is not enabled for this ORCID record; the work goes out once it is."). Shown as they are.
 */
const WRITTEN_FOR_PEOPLE: ReadonlySet<string> = new Set([
  'permission_not_granted',
  'permission_expired',
  'permission_invalid',
  'no_account',
  'orcid_not_configured',
]);

/** A service that did not answer, or asked us to slow down: worth another try later. */
const NOT_ANSWERED: Readonly<Record<string, string>> = {
  orcid_unavailable: 'ORCID did not answer.',
  orcid_throttled: 'ORCID asked us to slow down.',
  datacite_unavailable: 'DataCite did not answer.',
  provider_unavailable: 'The service we asked did not answer.',
  database_unavailable: 'Something went wrong on our side.',
  token_unreadable: 'Something went wrong on our side.',
  internal: 'Something went wrong on our side.',
  internal_error: 'Something went wrong on our side.',
};

/** The provider's own words after "(HTTP 400): ", unless they are a status line themselves. */
function providerReason(message: string | undefined, provider: 'ORCID' | 'DataCite'): string | null {
  const match = new RegExp(`^${provider} refused the request \\(HTTP \\d{3}\\):\\s*(.+)$`, 's').exec(message ?? '');
  const reason = match?.[1]?.trim().replace(/\.+$/, '');
  if (!reason || /\bHTTP\b/i.test(reason)) return null;
  return reason;
}

/** "the DOI's metadata lacks a title, which an ORCID work requires" → "a title". */
function missingField(message: string | undefined): string | null {
  return /lacks (.+?), which an ORCID work requires/.exec(message ?? '')?.[1] ?? null;
}

/** Refused for good: what the person reads, for an addition or a removal. */
function refused(code: string, message: string | undefined, removal: boolean): string | null {
  const work = removal ? 'to remove this work' : 'this work';
  switch (code) {
    case 'orcid_rejected':
    case 'provider_rejected': {
      const who = code === 'orcid_rejected' ? 'ORCID' : 'The service we asked';
      const reason = code === 'orcid_rejected' ? providerReason(message, 'ORCID') : null;
      return reason ? `${who} refused ${work}: ${reason}.` : `${who} refused ${work}.`;
    }
    case 'datacite_rejected': {
      const reason = providerReason(message, 'DataCite');
      return reason
        ? `DataCite would not give us this DOI’s metadata: ${reason}.`
        : 'DataCite would not give us this DOI’s metadata.';
    }
    case 'orcid_token_invalid':
      return 'ORCID no longer accepts DataCite’s access to your record. Enable the permission again.';
    case 'orcid_not_found':
      return 'ORCID could not find your record: your ORCID iD may have been deprecated.';
    case 'orcid_duplicate':
      return 'Your ORCID record already has this work.';
    case 'doi_not_found':
      return 'DataCite has no findable DOI by this name: it may not be registered or public yet.';
    case 'metadata_unreadable':
      return 'DataCite’s record of this DOI could not be read.';
    case 'missing_metadata': {
      const field = missingField(message);
      return field
        ? `This DOI’s metadata lacks ${field}, which ORCID needs for a work.`
        : 'This DOI’s metadata lacks something ORCID needs for a work.';
    }
    case 'invalid_claim':
      return 'The ORCID iD or the DOI of this claim is not valid.';
    default:
      return null;
  }
}

/**
 * A claim's error for its person, or null when it has none. Unknown codes get a general sentence,
 * never the raw message.
 */
export function claimErrorText(claim: ClaimErrorInput): string | null {
  const { error } = claim;
  if (!error) return null;
  const { code, message } = error;
  if (WRITTEN_FOR_PEOPLE.has(code)) return message;
  const removal = claim.action === 'delete';
  const retried = claim.state === 'waiting' || claim.state === 'working';
  const notAnswered = NOT_ANSWERED[code];
  if (notAnswered) return `${notAnswered} ${retried ? 'We will try again on our own.' : 'Try again later.'}`;
  const words = refused(code, message, removal);
  if (words) return words;
  if (retried) return 'Something went wrong. We will try again on our own.';
  return removal
    ? 'Something went wrong, so this work was not removed from your ORCID record.'
    : 'Something went wrong, so this work was not added to your ORCID record.';
}
