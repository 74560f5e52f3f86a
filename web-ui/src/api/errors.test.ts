import { describe, expect, it } from 'vitest';
import {
  apiError,
  ApiError,
  errorMessage,
  isReauthenticationRequired,
  isSessionEnded,
  saysSessionEnded,
  statusWords,
} from './errors';

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

  it('falls back to plain words for the status when the body is not a problem, never the status line', () => {
    const error = apiError(new Response(null, { status: 502, statusText: 'Bad Gateway' }), '<html>');
    expect(error.message).toBe('The service is not answering as it should. Please try again in a moment.');
    expect(error.status).toBe(502);
    expect(error.code).toBeUndefined();
    expect(error.fieldErrors).toEqual([]);
  });

  it.each([
    [500, 'The service is not answering as it should. Please try again in a moment.'],
    [503, 'The service is not answering as it should. Please try again in a moment.'],
    [429, 'There were too many requests. Please wait a moment and try again.'],
    [404, 'This could not be found.'],
    [403, 'You are not allowed to do this.'],
    [400, 'The request was not accepted. Please try again.'],
  ])('says what a bare %i means without "HTTP" or its number', (status, words) => {
    expect(statusWords(status)).toBe(words);
    expect(apiError(new Response('Internal Server Error', { status }), 'Internal Server Error').message).toBe(words);
    expect(words).not.toMatch(/HTTP|\d{3}/);
  });
});

describe('errorMessage', () => {
  it('says "Your session has ended" for a 401 without a live session', () => {
    for (const code of ['unauthenticated', 'session_expired', 'session_revoked']) {
      const error = new ApiError(401, 'whatever the server said', code);
      expect(isSessionEnded(error)).toBe(true);
      expect(errorMessage(error)).toBe('Your session has ended. Sign in again.');
    }
  });

  it('tells a session that really ended (session_expired, session_revoked) from never signed in', () => {
    expect(saysSessionEnded(new ApiError(401, 'x', 'session_expired'))).toBe(true);
    expect(saysSessionEnded(new ApiError(401, 'x', 'session_revoked'))).toBe(true);
    // A first visit, or a browser that signed out itself: no session to have ended.
    expect(saysSessionEnded(new ApiError(401, 'x', 'unauthenticated'))).toBe(false);
    expect(saysSessionEnded(new ApiError(401, 'x', 'reauthentication_required'))).toBe(false);
    expect(saysSessionEnded(new ApiError(401, 'x'))).toBe(false);
    // The code alone is not enough: it is a 401.
    expect(saysSessionEnded(new ApiError(403, 'x', 'session_expired'))).toBe(false);
    expect(saysSessionEnded(new TypeError('fetch failed'))).toBe(false);
  });

  it('asks to sign in again for reauthentication_required, which is not a session that ended', () => {
    const error = new ApiError(401, 'Sign in again to do this.', 'reauthentication_required');
    expect(isReauthenticationRequired(error)).toBe(true);
    expect(isSessionEnded(error)).toBe(false);
    expect(errorMessage(error)).toBe('For your security, sign in again to do this.');
    // The API's document lists it under 403 for the client applications: the same, and still not
    // a session that ended. Any other status with that code is not it.
    const documented = new ApiError(403, 'x', 'reauthentication_required');
    expect(isReauthenticationRequired(documented)).toBe(true);
    expect(isSessionEnded(documented)).toBe(false);
    expect(errorMessage(documented)).toBe('For your security, sign in again to do this.');
    expect(isReauthenticationRequired(new ApiError(422, 'x', 'reauthentication_required'))).toBe(false);
    expect(isReauthenticationRequired(new ApiError(401, 'x', 'session_expired'))).toBe(false);
    expect(isReauthenticationRequired(new ApiError(403, 'x', 'forbidden'))).toBe(false);
  });

  it('uses the detail otherwise, and plain words for network failures', () => {
    expect(errorMessage(new ApiError(409, 'ORCID is the anchor.', 'orcid_is_anchor'))).toBe('ORCID is the anchor.');
    expect(errorMessage(new TypeError('fetch failed'))).toMatch(/could not be reached/);
  });
});
