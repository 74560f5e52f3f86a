// Journey 14: Your data (issue 7). From Settings the person downloads everything Profiles holds
// about them, then deletes their account by typing their ORCID iD.
import { readFile } from 'node:fs/promises';
import { expectAccessible } from '../support/a11y.js';
import { oidc, orcidApi, randomOrcid } from '../support/doubles.js';
import { expect, test } from '../support/fixtures.js';
import {
  addWithSearchAndLink, apiFromPage, backAt, enablePermission, expectDone, region, registerDoi, signInWithOrcid,
  waitForOrcidRecord,
} from '../support/flows.js';

/** `GET /api/v1/accounts/me` from outside any browser, with exactly this cookie. */
async function meWithCookie(stack, cookie) {
  const res = await fetch(`${stack.appUrl}/api/v1/accounts/me`, { headers: { Cookie: cookie } });
  const body = await res.json().catch(() => null);
  return { status: res.status, code: body?.code, orcid: body?.orcid };
}

/** Every key anywhere in a JSON value. */
const keysOf = (value) => {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...keysOf(v)]);
  return [];
};

test('14. Your data: download it (their iD and their claim\'s DOI); delete the account by typing the iD; the old session is gone', async ({ page, stack }) => {
  const orcid = randomOrcid();
  const work = await registerDoi([orcid], 'Your data');
  await signInWithOrcid(page, orcid);
  await enablePermission(page, 'Search & Link', orcid);
  await addWithSearchAndLink(page, work);
  await waitForOrcidRecord(orcidApi, orcid, work.doi, (works) => works.length === 1, 'the work is pushed');
  await expectDone(page, work.doi, 'ORCID Search & Link');
  await expectAccessible(page);

  const [session] = (await page.context().cookies()).filter((c) => c.name === 'profiles_session');
  expect(session, 'the session cookie').toBeTruthy();
  const oldCookie = `${session.name}=${session.value}`;
  expect(await meWithCookie(stack, oldCookie)).toMatchObject({ status: 200, orcid });

  // Download: one JSON file, named after the iD, with the account and the claim.
  // Your account → Your data, a page of its own.
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Your data' }).click();
  await backAt(page, '/settings/data');
  const box = region(page, 'Your data');
  await expect(box).toBeVisible();
  await expectAccessible(page);
  const downloading = page.waitForEvent('download');
  await box.getByRole('button', { name: 'Download your data' }).click();
  const download = await downloading;
  await expect(box.getByRole('status')).toHaveText('Your data was downloaded.');
  expect(download.suggestedFilename()).toBe(`profiles-${orcid}.json`);
  const text = await readFile(await download.path(), 'utf8');
  const data = JSON.parse(text);
  expect(data.account.orcid).toBe(orcid);
  expect(data.claims.map((c) => c.doi), 'their claim').toEqual([work.doi]);
  expect(data.claims[0]).toMatchObject({ orcid, state: 'done', source: 'search_and_link' });
  expect(data.account.identities.map((i) => i.provider)).toEqual(['orcid']);
  expect(data.account.permissions.find((p) => p.kind === 'search_and_link')?.status).toBe('active');
  expect(data.sessions.filter((s) => s.current), 'this session').toHaveLength(1);
  expect(keysOf(data).filter((k) => /^(access|refresh|id)_token$|secret/i.test(k)), 'no secrets in the export').toEqual([]);
  await expectAccessible(page);

  // Delete: the dialog wants the iD typed; the button stays disabled until it matches.
  expect(await oidc.accessTokens('orcid', orcid), 'ORCID holds the sign-in token').toBeGreaterThan(0);
  await box.getByRole('button', { name: 'Delete account' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete your account?' });
  const typed = dialog.getByLabel(`Type your ORCID iD, ${orcid}, to confirm`);
  const confirm = dialog.getByRole('button', { name: 'Delete account' });
  await expect(typed).toBeFocused();
  await expect(confirm).toBeDisabled();
  await expectAccessible(page);
  await typed.fill(orcid.replace(/.$/, (d) => (d === '0' ? '1' : '0')));
  await expect(confirm).toBeDisabled();
  await typed.fill(orcid);
  await expect(confirm).toBeEnabled();
  await confirm.click();

  await backAt(page, '/sign-in');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  const notice = page.getByRole('status').filter({ hasText: 'Your account has been deleted' });
  await expect(notice).toContainText('Your account has been deleted and you are signed out. Only anonymous counts remain.');
  await expect(notice, 'every grant was revoked').not.toContainText('did not confirm');
  await expectAccessible(page);

  // The old session is gone on the server, and this browser is signed out.
  expect(await meWithCookie(stack, oldCookie)).toMatchObject({ status: 401 });
  expect((await apiFromPage(page, 'GET', '/api/v1/accounts/me')).status).toBe(401);
  // Nothing "ended" behind the person's back: Settings asks them to sign in.
  await page.goto('/settings');
  await expect(page.getByRole('main').getByRole('heading', { level: 2, name: 'Please sign in' })).toBeVisible();
  await expect(page.getByText('Your session has ended')).toHaveCount(0);
  await expect(page.getByRole('heading', { level: 1, name: 'Personal settings' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Settings' })).toHaveCount(0);
  await expectAccessible(page);
  // DataCite's access at ORCID is revoked; the work already in the record stays there.
  expect(await oidc.accessTokens('orcid', orcid), 'the ORCID tokens were revoked').toBe(0);
  expect(await orcidApi.worksFor(orcid, work.doi), 'the work stays in the ORCID record').toHaveLength(1);
});
