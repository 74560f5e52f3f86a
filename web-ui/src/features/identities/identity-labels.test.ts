import { describe, expect, it } from 'vitest';
import { githubIdentity, googleIdentity } from '../../test/fixtures';
import { githubLogin, identityLabel } from './identity-labels';

describe('which account a connection is', () => {
  it.each([
    ['https://github.com/octocat', 'octocat'],
    ['https://github.com/alice-example/', 'alice-example'],
    ['https://github.example.edu/jdoe', 'jdoe'],
    ['https://github.com/', null],
    ['https://github.com/orgs/datacite', null],
    ['https://github.com/-bad-', null],
    ['javascript:alert(1)', null],
    ['not a url', null],
    [null, null],
  ])('GitHub username of %s: %s', (url, login) => {
    expect(githubLogin(url)).toBe(login);
  });

  it('names Google by its email and GitHub by its username, with the name there when it says more', () => {
    expect(identityLabel(googleIdentity({ email: 'alice@example.test', display_name: 'Alice Example' }))).toEqual({
      account: 'alice@example.test',
      name: 'Alice Example',
    });
    expect(
      identityLabel(githubIdentity({ profile_url: 'https://github.com/alice-example', display_name: 'Alice Example' })),
    ).toEqual({ account: 'alice-example', name: 'Alice Example' });
    // GitHub's name is its login when the person set none.
    expect(identityLabel(githubIdentity({ profile_url: 'https://github.com/octo', display_name: 'octo' }))).toEqual({
      account: 'octo',
      name: null,
    });
  });

  it('falls back to the name, then the provider’s id', () => {
    expect(identityLabel(githubIdentity({ profile_url: null, display_name: 'Alice Example' }))).toEqual({
      account: 'Alice Example',
      name: null,
    });
    expect(identityLabel(googleIdentity({ email: null, display_name: null }))).toEqual({
      account: '109876543210987654321',
      name: null,
    });
  });
});
