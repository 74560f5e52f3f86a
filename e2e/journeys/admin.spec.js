// Journeys 10 and 13: administration. Settings → Admin for staff (the role comes from the operator
// CLI, `profiles admin grant`), nothing of it for a plain user; and issue 7's "done when": a staff
// admin finds a person, sees why their claims failed and retries them from the browser.
import { expectAccessible } from '../support/a11y.js';
import { orcidApi, randomOrcid } from '../support/doubles.js';
import { expect, test } from '../support/fixtures.js';
import {
  addWithSearchAndLink, apiFromPage, backAt, claimRow, enablePermission, expectDone, grantRole, openClaimList, QUICK,
  region, registerDoi, reloadUntil, signInWithOrcid, testResearcher, waitForOrcidRecord,
} from '../support/flows.js';

const ADMIN = { home: '/settings/admin', claims: '/settings/admin/claims', account: (orcid) => `/settings/admin/accounts/${orcid}` };

/** The error stored on a claim that ORCID refused with 400 (the double's body for it). */
/** ORCID's refusal (400) as the claim keeps it, which staff see (with `orcid_rejected`). */
const REJECTED = 'ORCID refused the request (HTTP 400): The client application sent a bad request to ORCID.';
/** The same, as the person reads it on their own list: in plain words, without the status line. */
const REJECTED_IN_WORDS = 'ORCID refused this work: The client application sent a bad request to ORCID.';

const adminLink = (page) => page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Admin', exact: true });

/** A row of the account search's results. */
const accountRow = (page, orcid) => page.getByRole('list', { name: 'Accounts' }).getByRole('listitem').filter({ hasText: orcid });

/** A row of the "Claims" list of the admin pages (one account's, or everyone's). */
const adminClaimRow = (page, doi) => region(page, 'Claims').getByRole('listitem').filter({ hasText: doi });

/** The value next to `term` in a list of facts. */
const fact = (scope, term) => scope.locator('dl > div')
  .filter({ has: scope.page().locator('dt', { hasText: new RegExp(`^${term}$`) }) })
  .locator('dd');

/** Settings → Admin from the side menu: the account search (and, for staff, the recent changes). */
async function openAdmin(page) {
  await adminLink(page).click();
  await backAt(page, ADMIN.home);
  await expect(page.getByRole('heading', { level: 2, name: 'Admin', exact: true })).toBeVisible();
  await expect(region(page, 'Find an account')).toBeVisible();
}

/** Types into "Search accounts" and searches; the results list the account of `orcid`. */
async function findAccount(page, text, orcid) {
  const search = page.getByRole('search', { name: 'Account search' });
  await search.getByRole('searchbox', { name: 'Search accounts' }).fill(text);
  await search.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page.getByText(/^1 account$/)).toBeVisible();
  await expect(accountRow(page, orcid)).toBeVisible();
}

/** Opens an account from the search results; its page names the person. */
async function openAccount(page, orcid, name) {
  await accountRow(page, orcid).getByRole('link', { name, exact: true }).click();
  await backAt(page, ADMIN.account(orcid));
  await expect(page.getByRole('heading', { level: 2, name, exact: true })).toBeVisible();
  await expect(region(page, 'Claims').getByText(/^\d+ claims?$|^No claims\.$/)).toBeVisible();
}

/** Signs in as a new person and makes them a staff admin with the operator CLI. */
async function signInAsStaffAdmin(page, orcid) {
  await signInWithOrcid(page, orcid);
  await expect(adminLink(page), 'no Admin before the role is granted').toHaveCount(0);
  await grantRole(orcid, 'staff_admin');
  // The role is read with the account: a reload (or the next sign-in) shows it.
  await page.reload();
  await expect(adminLink(page)).toBeVisible();
}

test('10. staff see Settings → Admin and its pages load; a plain user does not, and the admin API answers 403', async ({ page, newPage }) => {
  const staffOrcid = randomOrcid();
  await signInAsStaffAdmin(page, staffOrcid);
  await expectAccessible(page);

  await openAdmin(page);
  // The grant by the CLI is the latest change, by "command line".
  const changes = region(page, 'Recent changes');
  const granted = changes.getByRole('listitem').filter({ hasText: staffOrcid }).filter({ hasText: 'Role changed' });
  await expect(granted).toContainText('by command line');
  await expectAccessible(page);

  // The role filter, with a count per role; the new staff admin is among the staff admins.
  await page.getByLabel('Role', { exact: true }).selectOption('staff_admin');
  await expect(page).toHaveURL(/[?&]role=staff_admin\b/);
  await findAccount(page, staffOrcid, staffOrcid);
  await expect(accountRow(page, staffOrcid)).toContainText('Staff Admin');
  await expectAccessible(page);

  // Their own account: everything but their role can be changed.
  await openAccount(page, staffOrcid, testResearcher(staffOrcid));
  await expect(fact(page.locator('main'), 'Role').first()).toHaveText('Staff Admin');
  const change = page.getByRole('form', { name: 'Change account' });
  await expect(change).toContainText('You cannot change your own role.');
  await expect(change.getByLabel('Role')).toHaveCount(0);
  await expect(region(page, 'Sign-in identities')).toContainText('Token active');
  await expect(region(page, 'ORCID permissions').getByRole('listitem').filter({ hasText: 'Search & Link' })).toContainText('Missing');
  await expect(region(page, 'Recent changes to this account')).toContainText('Role changed');
  await expectAccessible(page);
  await page.getByRole('link', { name: 'Back to account search' }).click();
  await backAt(page, ADMIN.home);
  await expect(page).toHaveURL(/[?&]role=staff_admin\b/);
  await expect(accountRow(page, staffOrcid)).toBeVisible();

  // Everyone's claims.
  await page.getByRole('link', { name: 'Search all claims' }).click();
  await backAt(page, ADMIN.claims);
  await expect(page.getByRole('heading', { level: 2, name: 'All claims' })).toBeVisible();
  await expect(page.getByRole('form', { name: 'Search claims' })).toBeVisible();
  await expect(region(page, 'Claims').getByText(/^\d+ claims?$|^No claims\.$/)).toBeVisible();
  await expectAccessible(page);
  expect((await apiFromPage(page, 'GET', '/api/v1/admin/accounts')).status, 'the admin API answers staff').toBe(200);

  // A plain user: no Admin in the menu, the page says what it is for, and the API refuses.
  const userOrcid = randomOrcid();
  const user = await newPage();
  await signInWithOrcid(user, userOrcid);
  const menu = user.getByRole('navigation', { name: 'Settings' });
  await expect(menu.getByRole('link', { name: 'ORCID claims' })).toBeVisible();
  await expect(adminLink(user)).toHaveCount(0);
  for (const path of ['/api/v1/admin/accounts', `/api/v1/admin/accounts/${staffOrcid}`, '/api/v1/admin/audit']) {
    const refused = await apiFromPage(user, 'GET', path);
    expect(refused.status, `GET ${path}`).toBe(403);
    expect(refused.body, `GET ${path}`).toMatchObject({ status: 403, code: 'forbidden' });
  }
  const retry = await apiFromPage(user, 'POST', '/api/v1/admin/claims/retry-failed', {});
  expect(retry.status, 'retry-failed').toBe(403);
  expect(retry.body.code).toBe('forbidden');

  await user.goto(ADMIN.home);
  await expect(user.getByRole('heading', { level: 2, name: 'Admin', exact: true })).toBeVisible();
  await expect(user.getByRole('main')).toContainText('This section is for DataCite staff and for provider and client administrators.');
  await expect(user.getByRole('searchbox', { name: 'Search accounts' })).toHaveCount(0);
  await expect(adminLink(user)).toHaveCount(0);
  await expectAccessible(user);
});

test('13. a staff admin finds a person, sees why their claims failed, and retries them from the browser', async ({ page, newPage }) => {
  // The person: ORCID refuses (400) both works they add, so both claims fail at once.
  const orcid = randomOrcid();
  const name = testResearcher(orcid);
  const first = await registerDoi([orcid], 'Requeued');
  const second = await registerDoi([orcid], 'Retried');
  await signInWithOrcid(page, orcid);
  await enablePermission(page, 'Search & Link', orcid);
  await orcidApi.failNext({ orcid, status: 400, method: 'POST', count: 2 });
  await addWithSearchAndLink(page, first);
  await addWithSearchAndLink(page, second);

  await openClaimList(page);
  for (const { doi } of [first, second]) {
    await reloadUntil(page, async () => {
      await expect(claimRow(page, doi).getByText('Failed', { exact: true })).toBeVisible(QUICK);
    });
    await expect(claimRow(page, doi)).toContainText(REJECTED_IN_WORDS);
    await expect(claimRow(page, doi)).not.toContainText('HTTP');
  }
  await expectAccessible(page);
  expect((await orcidApi.record(orcid)).works, 'nothing reached the ORCID record').toHaveLength(0);

  // A staff admin, in a browser of their own.
  const adminOrcid = randomOrcid();
  const admin = await newPage();
  await signInAsStaffAdmin(admin, adminOrcid);
  await expectAccessible(admin);
  await openAdmin(admin);
  await expectAccessible(admin);
  await findAccount(admin, orcid, orcid);
  await expect(accountRow(admin, orcid)).toContainText('2 failed claims');
  await expectAccessible(admin);

  await openAccount(admin, orcid, name);
  await expect(region(admin, 'ORCID permissions').getByRole('listitem').filter({ hasText: 'Search & Link' })).toContainText('Active');
  await expect(fact(region(admin, 'Claim counts'), 'Failed')).toHaveText('2');
  for (const { doi } of [first, second]) {
    const row = adminClaimRow(admin, doi);
    await expect(row.getByText('Failed', { exact: true })).toBeVisible();
    await expect(row).toContainText('1 attempt');
    await expect(row).toContainText(`Error: ${REJECTED}`);
    await expect(row.locator('code')).toHaveText('orcid_rejected');
  }
  await expectAccessible(admin);

  // One claim requeued on its own, then "Retry all failed" for the rest.
  const claims = region(admin, 'Claims');
  await adminClaimRow(admin, first.doi).getByRole('button', { name: 'Requeue' }).click();
  await expect(claims.getByRole('status')).toHaveText(`${first.doi} is queued again.`);
  await waitForOrcidRecord(orcidApi, orcid, first.doi, (works) => works.length === 1, 'the requeued work arrives');
  await claims.getByRole('button', { name: 'Retry all failed' }).click();
  await expect(claims.getByRole('status')).toHaveText('1 failed claim was queued again.');
  await waitForOrcidRecord(orcidApi, orcid, second.doi, (works) => works.length === 1, 'the retried work arrives');
  expect((await orcidApi.record(orcid)).works, 'each work once').toHaveLength(2);

  await reloadUntil(admin, async () => {
    for (const { doi } of [first, second]) await expect(adminClaimRow(admin, doi).getByText('Done', { exact: true })).toBeVisible(QUICK);
  });
  for (const { doi, title } of [first, second]) {
    await expect(adminClaimRow(admin, doi)).toContainText(title);
    await expect(adminClaimRow(admin, doi)).not.toContainText('Error:');
  }
  await expect(fact(region(admin, 'Claim counts'), 'Failed')).toHaveText('0');
  await expect(fact(region(admin, 'Claim counts'), 'Done')).toHaveText('2');
  await expect(claims.getByRole('button', { name: 'Retry all failed' })).toHaveCount(0);
  await expectAccessible(admin);

  // Both changes are in the audit log, by this admin.
  await admin.getByRole('link', { name: 'Back to account search' }).click();
  await backAt(admin, ADMIN.home);
  const changes = region(admin, 'Recent changes').getByRole('listitem').filter({ hasText: adminOrcid });
  await expect(changes.filter({ hasText: 'Failed claims retried' })).toHaveCount(1);
  await expect(changes.filter({ hasText: 'Claim requeued' })).toHaveCount(1);
  const retried = changes.filter({ hasText: 'Failed claims retried' });
  await retried.getByText('Details').click();
  await expect(retried).toContainText(orcid);
  await expect(retried.locator('pre')).toContainText('"requeued": 1');
  await expectAccessible(admin);

  // The person sees both claims done.
  await expectDone(page, first.doi, 'ORCID Search & Link');
  await expectDone(page, second.doi, 'ORCID Search & Link');
  await expect(claimRow(page, first.doi)).not.toContainText('ORCID refused');
  await expectAccessible(page);
});
