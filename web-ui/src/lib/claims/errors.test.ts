import { describe, expect, it } from 'vitest';
import { claimErrorText, type ClaimErrorInput } from '.';

/** The messages the API stores with each code, as the worker writes them. */
const RAW = {
  orcid_unavailable: 'ORCID is unavailable: HTTP 500: Something went wrong in ORCID.',
  orcid_unavailable_gave_up: 'ORCID is unavailable: HTTP 500: Something went wrong in ORCID. (gave up after 12 attempts)',
  orcid_throttled: 'ORCID asked us to slow down (HTTP 429)',
  orcid_rejected: 'ORCID refused the request (HTTP 400): The client application sent a bad request to ORCID.',
  datacite_unavailable: 'DataCite is unavailable: HTTP 503',
  datacite_rejected: 'DataCite refused the request (HTTP 403): Access denied.',
  doi_not_found: 'DataCite has no findable DOI 10.5555/x.',
  missing_metadata: "10.5555/x: the DOI's metadata lacks a title, which an ORCID work requires",
} as const;

const text = (state: ClaimErrorInput['state'], code: string, message: string, action: ClaimErrorInput['action'] = 'create') =>
  claimErrorText({ state, action, error: { code, message } });

describe('claimErrorText: a claim error in plain words, by its code', () => {
  it('says ORCID did not answer, and that it is retried on its own while the claim is queued', () => {
    expect(text('waiting', 'orcid_unavailable', RAW.orcid_unavailable)).toBe(
      'ORCID did not answer. We will try again on our own.',
    );
    expect(text('working', 'orcid_throttled', RAW.orcid_throttled)).toBe(
      'ORCID asked us to slow down. We will try again on our own.',
    );
    expect(text('waiting', 'datacite_unavailable', RAW.datacite_unavailable)).toBe(
      'DataCite did not answer. We will try again on our own.',
    );
  });

  it('asks to try again later once the retries gave up', () => {
    expect(text('failed', 'orcid_unavailable', RAW.orcid_unavailable_gave_up)).toBe(
      'ORCID did not answer. Try again later.',
    );
    expect(text('failed', 'datacite_unavailable', RAW.datacite_unavailable)).toBe(
      'DataCite did not answer. Try again later.',
    );
    expect(text('failed', 'database_unavailable', 'database unavailable: connection refused')).toBe(
      'Something went wrong on our side. Try again later.',
    );
  });

  it("gives ORCID's refusal with ORCID's own reason, without the status line", () => {
    expect(text('failed', 'orcid_rejected', RAW.orcid_rejected)).toBe(
      'ORCID refused this work: The client application sent a bad request to ORCID.',
    );
    expect(text('failed', 'orcid_rejected', RAW.orcid_rejected, 'delete')).toBe(
      'ORCID refused to remove this work: The client application sent a bad request to ORCID.',
    );
    // A reason that is itself a status line, or none at all: the sentence alone.
    expect(text('failed', 'orcid_rejected', 'ORCID refused the request (HTTP 418): HTTP 418 I am a teapot')).toBe(
      'ORCID refused this work.',
    );
    expect(text('failed', 'orcid_rejected', 'ORCID said no')).toBe('ORCID refused this work.');
  });

  it('explains DataCite-side problems and missing metadata', () => {
    expect(text('failed', 'datacite_rejected', RAW.datacite_rejected)).toBe(
      'DataCite would not give us this DOI’s metadata: Access denied.',
    );
    expect(text('failed', 'doi_not_found', RAW.doi_not_found)).toBe(
      'DataCite has no findable DOI by this name: it may not be registered or public yet.',
    );
    expect(text('failed', 'missing_metadata', RAW.missing_metadata)).toBe(
      'This DOI’s metadata lacks a title, which ORCID needs for a work.',
    );
    expect(text('failed', 'missing_metadata', 'something else')).toBe(
      'This DOI’s metadata lacks something ORCID needs for a work.',
    );
  });

  it('covers the other codes the API names', () => {
    expect(text('waiting_for_permission', 'orcid_token_invalid', 'ORCID rejected the access token (invalid_token)')).toBe(
      'ORCID no longer accepts DataCite’s access to your record. Enable the permission again.',
    );
    expect(text('failed', 'provider_unavailable', 'Google did not answer: HTTP 502')).toBe(
      'The service we asked did not answer. Try again later.',
    );
    expect(text('failed', 'provider_rejected', 'GitHub refused (HTTP 400): bad_verification_code')).toBe(
      'The service we asked refused this work.',
    );
    expect(text('failed', 'orcid_not_found', 'ORCID has no such record (the iD may have been deprecated).')).toBe(
      'ORCID could not find your record: your ORCID iD may have been deprecated.',
    );
  });

  it('keeps the reasons the server writes for people: why a claim waits for permission', () => {
    const reason = 'ORCID Search & Link is not enabled for this ORCID record; the work goes out once it is.';
    expect(text('waiting_for_permission', 'permission_not_granted', reason)).toBe(reason);
    const invalid =
      'ORCID no longer accepts the ORCID Auto-Update permission (it was revoked on orcid.org or has expired). Enable it again to continue.';
    expect(text('waiting_for_permission', 'permission_invalid', invalid)).toBe(invalid);
  });

  it('never passes an unknown code’s raw message on', () => {
    const raw = 'Teapot API is unavailable: HTTP 500: stack trace …';
    expect(text('failed', 'teapot_exploded', raw)).toBe(
      'Something went wrong, so this work was not added to your ORCID record.',
    );
    expect(text('failed', 'teapot_exploded', raw, 'delete')).toBe(
      'Something went wrong, so this work was not removed from your ORCID record.',
    );
    expect(text('waiting', 'teapot_exploded', raw)).toBe('Something went wrong. We will try again on our own.');
  });

  it('never says "HTTP" or a status code, whatever the code and message', () => {
    const codes = [
      'orcid_unavailable', 'orcid_throttled', 'orcid_rejected', 'orcid_token_invalid', 'doi_not_found',
      'datacite_unavailable', 'datacite_rejected', 'provider_unavailable', 'provider_rejected', 'unknown',
    ];
    for (const code of codes) {
      for (const state of ['waiting', 'failed'] as const) {
        expect(text(state, code, 'ORCID is unavailable: HTTP 500: Internal Server Error')).not.toMatch(/HTTP|500/);
      }
    }
  });

  it('says nothing without an error', () => {
    expect(claimErrorText({ state: 'failed', action: 'create' })).toBeNull();
    expect(claimErrorText({ state: 'failed', action: 'create', error: null })).toBeNull();
  });
});
