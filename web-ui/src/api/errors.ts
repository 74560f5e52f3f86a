/** A response from the API with a non-success status. */
export class ApiError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

/**
 * Builds an ApiError from a failed response. Uses the RFC 9457 problem `title` or `detail` when the
 * body has one, else the HTTP status.
 */
export function apiError(response: Response, body: unknown): ApiError {
  let message = `The server answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`;
  if (typeof body === 'object' && body !== null) {
    const problem = body as { title?: unknown; detail?: unknown };
    if (typeof problem.detail === 'string' && problem.detail) message = problem.detail;
    else if (typeof problem.title === 'string' && problem.title) message = problem.title;
  }
  return new ApiError(response.status, message);
}

/** A message for people, for any error a request can throw. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return 'The server could not be reached. Check your connection and try again.';
  return 'Something went wrong.';
}
