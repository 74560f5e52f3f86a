import type { Pill } from './admin-labels';

/** A permission request's status, as `GET /api/v1/admin/notifications?status=` takes it. */
export type NotificationStatus = 'pending' | 'sent' | 'refused' | 'failed';

export const NOTIFICATION_STATUSES: readonly NotificationStatus[] = ['pending', 'sent', 'refused', 'failed'];

interface StatusWords extends Pill {
  /** What follows from it, for the person reading the history. */
  meaning: string;
}

const STATUS_WORDS: Record<NotificationStatus, StatusWords> = {
  pending: { label: 'Pending', tone: 'info', meaning: 'Not accepted by ORCID yet; Profiles is still trying.' },
  sent: { label: 'Sent', tone: 'success', meaning: 'In the person’s ORCID inbox.' },
  refused: {
    label: 'Refused',
    tone: 'neutral',
    meaning: 'The person or their record takes no notifications: never sent again.',
  },
  failed: {
    label: 'Failed',
    tone: 'danger',
    meaning: 'ORCID refused our request: it may be sent again after the period.',
  },
};

const isStatus = (status: string): status is NotificationStatus =>
  (NOTIFICATION_STATUSES as readonly string[]).includes(status);

/** A status as a pill, with what it means; one the API added since, as it is. */
export function notificationStatusWords(status: string): StatusWords {
  return isStatus(status) ? STATUS_WORDS[status] : { label: status, tone: 'neutral', meaning: '' };
}

/** A status's name alone ("Sent"), for filters and counts. */
export function notificationStatusLabel(status: string): string {
  return notificationStatusWords(status).label;
}

const REFUSED = 'ORCID refused our request';

/** ORCID's answer to a permission request, by its code (`NotificationView.answer`). */
const ANSWER_WORDS: Readonly<Record<string, string>> = {
  accepted: 'ORCID accepted it',
  notifications_disabled: 'The person does not accept notifications',
  record_deactivated: REFUSED,
  record_locked: REFUSED,
  record_deprecated: REFUSED,
  record_unavailable: REFUSED,
  record_not_found: REFUSED,
  invalid_notification: REFUSED,
  not_permitted: 'Our ORCID client may not send notifications',
  unavailable: 'ORCID did not accept it within a day',
};

/**
 * ORCID's answer in plain words: "ORCID accepted it", "The person does not accept notifications",
 * "ORCID refused our request" (a record deactivated, locked, deprecated, unavailable or not found,
 * or a notification ORCID found invalid: the code says which), "Our ORCID client may not send
 * notifications", "ORCID did not accept it within a day"; none yet while it has not answered. A
 * code the API added since is shown as it is.
 */
export function notificationAnswerWords(answer: string | null | undefined): string {
  if (!answer) return 'No answer from ORCID yet';
  return ANSWER_WORDS[answer] ?? answer;
}

/** Whether the words alone do not say which answer it was (several codes read "ORCID refused our request"). */
export function answerNeedsCode(answer: string | null | undefined): boolean {
  return Boolean(answer) && notificationAnswerWords(answer) === REFUSED;
}
