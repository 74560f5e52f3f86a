import type { components } from './schema';

export type Problem = components['schemas']['Problem'];
export type FieldError = components['schemas']['FieldError'];

/** A response from the API with a non-success status, carrying the RFC 9457 problem when there is one. */
export class ApiError extends Error {
  readonly status: number;
  /** The problem's stable `code` (e.g. `session_expired`); switch on this, never on the message. */
  readonly code: string | undefined;
  /** Field-level problems of a 422, in the API's order. */
  readonly fieldErrors: readonly FieldError[];

  constructor(status: number, message: string, code?: string, fieldErrors: readonly FieldError[] = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fieldErrors = fieldErrors;
  }
}

function isFieldError(value: unknown): value is FieldError {
  if (typeof value !== 'object' || value === null) return false;
  const { field, message } = value as Record<string, unknown>;
  return typeof field === 'string' && typeof message === 'string';
}

/**
 * What a failed response without a problem means, in words for people: a proxy or a crash answered,
 * so there is only its status to go by. Never the status line itself ("502 Bad Gateway"); the
 * ApiError keeps the status for code.
 */
export function statusWords(status: number): string {
  if (status >= 500) return 'The service is not answering as it should. Please try again in a moment.';
  if (status === 429) return 'There were too many requests. Please wait a moment and try again.';
  if (status === 404) return 'This could not be found.';
  if (status === 403) return 'You are not allowed to do this.';
  return 'The request was not accepted. Please try again.';
}

/**
 * Builds an ApiError from a failed response. Uses the RFC 9457 problem `detail` or `title` when the
 * body has one, else plain words for its status (`statusWords`). The body is checked at run time:
 * a proxy or a crash can answer with something that is not a problem.
 */
export function apiError(response: Response, body: unknown): ApiError {
  let message = statusWords(response.status);
  let code: string | undefined;
  let fieldErrors: FieldError[] = [];
  if (typeof body === 'object' && body !== null) {
    const problem = body as Partial<Record<keyof Problem, unknown>>;
    if (typeof problem.detail === 'string' && problem.detail) message = problem.detail;
    else if (typeof problem.title === 'string' && problem.title) message = problem.title;
    if (typeof problem.code === 'string' && problem.code) code = problem.code;
    if (Array.isArray(problem.errors)) fieldErrors = problem.errors.filter(isFieldError);
  }
  return new ApiError(response.status, message, code, fieldErrors);
}

/**
 * Whether the action needs a recent sign-in (`reauthentication_required`): the session is live, but
 * its sign-in is older than the server allows for this action (deleting the account, creating an
 * API token, unlinking, managing client applications, ...). The person signs in again and repeats
 * it; they are not signed out. Told by its code: the API answers it with 401, and its document
 * lists it under 403 for the client applications' operations, so either status counts.
 */
export function isReauthenticationRequired(error: unknown): boolean {
  return (
    error instanceof ApiError &&
    (error.status === 401 || error.status === 403) &&
    error.code === 'reauthentication_required'
  );
}

/**
 * Whether the request failed because there is no live session: never signed in (`unauthenticated`),
 * or the session ended (`session_expired`, `session_revoked`, ...). Every 401 means "sign in",
 * except `reauthentication_required`, which comes with a live session. Whether a session really
 * ended is `saysSessionEnded`: a first visit is a 401 `unauthenticated` too.
 */
export function isSessionEnded(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401 && !isReauthenticationRequired(error);
}

/** The 401 codes by which the server says this browser had a session and it has ended. */
const SESSION_ENDED_CODES: readonly (string | undefined)[] = ['session_expired', 'session_revoked'];

/**
 * Whether the server says a session really ended: the browser's cookie named a session that was
 * signed out elsewhere, revoked or expired (`session_expired`), or a token's session has ended
 * (`session_revoked`). Not `unauthenticated`: that is also a first visit, or a browser that
 * signed out itself, and asks "Please sign in", not "Your session has ended".
 */
export function saysSessionEnded(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401 && SESSION_ENDED_CODES.includes(error.code);
}

export const SESSION_ENDED_MESSAGE = 'Your session has ended. Sign in again.';

export const SIGN_IN_NEEDED_MESSAGE = 'Please sign in';

export const REAUTHENTICATION_MESSAGE = 'For your security, sign in again to do this.';

/** A message for people, for any error a request can throw. */
export function errorMessage(error: unknown): string {
  if (isReauthenticationRequired(error)) return REAUTHENTICATION_MESSAGE;
  if (isSessionEnded(error)) return SESSION_ENDED_MESSAGE;
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return 'The server could not be reached. Check your connection and try again.';
  return 'Something went wrong.';
}
