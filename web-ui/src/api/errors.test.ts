import { describe, expect, it } from 'vitest';
import { apiError, ApiError, errorMessage, isSessionEnded } from './errors';

describe('apiError', () => {
  it('keeps the problem detail, code and field errors', () => {
    const error = apiError(new Response(null, { status: 422 }), {
      type: 'urn:profiles:problem:invalid_field',
      title: 'Unprocessable Entity',
      status: 422,
      code: 'invalid_field',
      detail: 'That email address is not valid.',
      errors: [{ field: 'email', message: 'expected an address like name@example.org' }, { bogus: true }],
    });
    expect(error.message).toBe('That email address is not valid.');
    expect(error.code).toBe('invalid_field');
    expect(error.fieldErrors).toEqual([{ field: 'email', message: 'expected an address like name@example.org' }]);
  });

  it('falls back to the HTTP status when the body is not a problem', () => {
    const error = apiError(new Response(null, { status: 502, statusText: 'Bad Gateway' }), '<html>');
    expect(error.message).toBe('The server answered 502 Bad Gateway.');
    expect(error.code).toBeUndefined();
    expect(error.fieldErrors).toEqual([]);
  });
});

describe('errorMessage', () => {
  it('says "Your session has ended" for any 401', () => {
    for (const code of ['unauthenticated', 'session_expired', 'session_revoked']) {
      const error = new ApiError(401, 'whatever the server said', code);
      expect(isSessionEnded(error)).toBe(true);
      expect(errorMessage(error)).toBe('Your session has ended. Sign in again.');
    }
  });

  it('uses the detail otherwise, and plain words for network failures', () => {
    expect(errorMessage(new ApiError(409, 'ORCID is the anchor.', 'orcid_is_anchor'))).toBe('ORCID is the anchor.');
    expect(errorMessage(new TypeError('fetch failed'))).toMatch(/could not be reached/);
  });
});
