import { describe, expect, it } from 'vitest';
import { account, githubIdentity, googleIdentity, orcidIdentity } from '../../test/fixtures';
import { emailSource, emailSourceWords } from './email-source';

describe('where the account’s email came from', () => {
  it('is the linked service whose email it is (case and spaces aside)', () => {
    const identities = [orcidIdentity(), googleIdentity({ email: 'Alice@Example.test' }), githubIdentity()];
    expect(emailSource(account({ email: 'alice@example.test', identities }))).toBe('google');
    expect(emailSource(account({ email: 'josiah@example.org', identities }))).toBe('github');
    expect(emailSourceWords('google')).toBe('from your Google account');
    expect(emailSourceWords('github')).toBe('from your GitHub account');
    expect(emailSourceWords('orcid')).toBe('from your ORCID record');
  });

  it('is ORCID, then Google, then GitHub when several have it', () => {
    const identities = [githubIdentity({ email: 'j@example.org' }), googleIdentity({ email: 'j@example.org' })];
    expect(emailSource(account({ email: 'j@example.org', identities }))).toBe('google');
  });

  it('is nobody’s when no linked service has it, or there is no email', () => {
    expect(emailSource(account({ email: 'typed@example.org' }))).toBeNull();
    expect(emailSource(account({ email: null }))).toBeNull();
    expect(emailSource(account({ email: 'x@example.org', identities: [orcidIdentity()] }))).toBeNull();
  });
});
