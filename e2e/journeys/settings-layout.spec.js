// Journeys 32–34: three minor findings from a newcomer's walk-through (issue 14). "Your account"
// was one long page (profile, sessions, API tokens, your data): now its sessions, API tokens and
// data are pages of their own, nested under it in the section menu, which stands on the right of
// the page on wide screens and above it on a phone. Back from connecting Google or granting Search &
// Link, the page says so, if the account bears it out. A claim ORCID answered with a 500 or refused
// reads in plain words, not in ORCID's status line.
import { randomBytes } from 'node:crypto';
import { expectAccessible } from '../support/a11y.js';
import { orcidApi, randomOrcid } from '../support/doubles.js';
import { expect, screenshot, test } from '../support/fixtures.js';
import {
  addWithSearchAndLink, apiFromPage, authorizeAtGithub, backAt, CLAIMS, claimRow, enablePermission, expectFlowForm,
  openClaimList, openSocialLogin, region, registerDoi, signInWithOrcid, socialRow, throughProvider, waitForOrcidRecord,
} from '../support/flows.js';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

const settingsMenu = (page) => page.getByRole('navigation', { name: 'Settings' });

/** The menu's top-level entries, by their links' words. */
const sections = (page) => settingsMenu(page).locator(':scope > ul > li > a');

/** The entries nested under "Your account". */
const accountPages = (page) => settingsMenu(page).locator(':scope > ul > li').filter({
  has: page.getByRole('link', { name: 'Your account', exact: true }),
}).getByRole('list').getByRole('link');

/** The page beside (or under) the menu. */
const content = (page) => page.locator('.settings__content');

/** Nothing wider than the screen. */
async function expectNoSidewaysScrolling(page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `no sideways scrolling at ${page.viewportSize().width} px`).toBeLessThanOrEqual(0);
}

/** The menu is a column on the right of the page, level with its top. */
async function expectMenuOnTheRight(page) {
  const menu = await settingsMenu(page).boundingBox();
  const main = await content(page).boundingBox();
  expect(menu.x, 'the menu is right of the page').toBeGreaterThanOrEqual(main.x + main.width);
  expect(Math.abs(menu.y - main.y), 'level with the top of the page').toBeLessThanOrEqual(2);
  expect(menu.x + menu.width, 'within the screen').toBeLessThanOrEqual(page.viewportSize().width);
}

/** The menu comes first, above the page, and every entry in it is on screen and big enough to tap. */
async function expectMenuAbove(page) {
  const menu = await settingsMenu(page).boundingBox();
  const main = await content(page).boundingBox();
  expect(menu.y + menu.height, 'the menu is above the page').toBeLessThanOrEqual(main.y);
  const links = await settingsMenu(page).getByRole('link').all();
  for (const link of links) {
    const box = await link.boundingBox();
    expect(box.x, 'on screen').toBeGreaterThanOrEqual(0);
    expect(box.x + box.width, 'on screen').toBeLessThanOrEqual(PHONE.width);
    expect(box.height, 'tall enough to tap (WCAG 2.5.8: 24 px)').toBeGreaterThanOrEqual(24);
  }
  // Short enough to leave the page in view on a phone.
  expect(menu.height, 'the menu takes under a third of the screen').toBeLessThan(PHONE.height / 3);
}

test('32. API tokens, Active sessions and Your data are pages of their own under Your account; the menu is on the right at 1280 px and above the page at 390 px', async ({ page }, testInfo) => {
  await page.setViewportSize(DESKTOP);
  const orcid = randomOrcid();
  await signInWithOrcid(page, orcid);

  // Four sections at most (Admin is for staff), the account's pages nested under "Your account".
  await expect(sections(page)).toHaveText(['Your account', 'Social login', 'ORCID claims']);
  await expect(accountPages(page)).toHaveText(['Active sessions', 'Apps with access', 'API tokens', 'Your data']);
  await expect(settingsMenu(page).getByRole('link', { name: 'Your account' })).toHaveAttribute('aria-current', 'page');
  // Your account is the profile only now: a page that fits, not one of 3,450 px.
  await expect(region(page, 'Your account')).toBeVisible();
  for (const name of ['Active sessions', 'API tokens', 'Your data']) await expect(region(page, name)).toHaveCount(0);
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  expect(height, 'the account page is short').toBeLessThan(1500);
  await expectMenuOnTheRight(page);
  await expectAccessible(page);
  await screenshot(page, testInfo, 'account');

  // API tokens: its own address, title and heading, marked in the menu; its section is not the page.
  await settingsMenu(page).getByRole('link', { name: 'API tokens' }).click();
  await backAt(page, '/settings/tokens');
  await expect(page).toHaveTitle('API tokens · Your account · Profiles');
  await expect(page.getByRole('heading', { level: 2 })).toHaveText(['API tokens']);
  await expect(region(page, 'API tokens').getByRole('button', { name: 'Create token' })).toBeVisible();
  await expect(settingsMenu(page).getByRole('link', { name: 'API tokens' })).toHaveAttribute('aria-current', 'page');
  await expect(settingsMenu(page).getByRole('link', { name: 'Your account' })).not.toHaveAttribute('aria-current');
  await expect(settingsMenu(page).locator('[aria-current="page"]')).toHaveCount(1);
  await expect(region(page, 'Your account')).toHaveCount(0);
  await expectMenuOnTheRight(page);
  await expectNoSidewaysScrolling(page);
  await expectAccessible(page);
  await screenshot(page, testInfo, 'tokens');

  // On a phone: the menu above the page, every entry on screen, and it works from there.
  await page.setViewportSize(PHONE);
  await expectMenuAbove(page);
  await expectNoSidewaysScrolling(page);
  await expectAccessible(page);
  await screenshot(page, testInfo, 'tokens-390px');
  await screenshot(page, testInfo, 'menu-390px', settingsMenu(page));
  await settingsMenu(page).getByRole('link', { name: 'Active sessions' }).click();
  await backAt(page, '/settings/sessions');
  await expect(page).toHaveTitle('Active sessions · Your account · Profiles');
  await expect(page.getByRole('heading', { level: 2 })).toHaveText(['Active sessions']);
  await expect(region(page, 'Active sessions')).toContainText('This browser');
  await expectMenuAbove(page);
  await expectNoSidewaysScrolling(page);
  await expectAccessible(page);
  await screenshot(page, testInfo, 'sessions-390px');
  await settingsMenu(page).getByRole('link', { name: 'Your data' }).click();
  await backAt(page, '/settings/data');
  await expect(page).toHaveTitle('Your data · Your account · Profiles');
  await expect(region(page, 'Your data').getByRole('button', { name: 'Download your data' })).toBeVisible();
  await expectNoSidewaysScrolling(page);
  await expectAccessible(page);
  await screenshot(page, testInfo, 'data-390px');

  // Back on a wide screen, a link to a box's old place on the one page goes on to its page.
  await page.setViewportSize(DESKTOP);
  await page.goto('/settings#api-tokens-heading');
  await backAt(page, '/settings/tokens');
  await expect(region(page, 'API tokens')).toBeVisible();
  await expectAccessible(page);
  await page.goto('/settings#sessions-heading');
  await backAt(page, '/settings/sessions');
  await expect(region(page, 'Active sessions')).toBeVisible();
  await page.goto('/settings#your-data-heading');
  await backAt(page, '/settings/data');
  await expect(region(page, 'Your data')).toBeVisible();
  await expectMenuOnTheRight(page);
  await expectAccessible(page);
  await screenshot(page, testInfo, 'data');
});

/** The page's success notice (a polite live region, empty until it has something to say). */
const successNotice = (page) => page.locator('.notice__text[role="status"]');

test('33. back from connecting Google and from enabling Search & Link, the page says it worked, if it did; cancelled or crafted, it says nothing', async ({ page }, testInfo) => {
  await page.setViewportSize(DESKTOP);
  const orcid = randomOrcid();
  // A Google account of its own (the stand-in makes it up): journeys run in parallel on one stack.
  const email = `e2e-${randomBytes(4).toString('hex')}@example.test`;
  await signInWithOrcid(page, orcid);
  await openSocialLogin(page);
  await expectAccessible(page);

  // Cancelled at GitHub: back with the marker and `error=access_denied`. That is explained, and no
  // word of success.
  const github = socialRow(page, 'GitHub');
  await github.getByRole('button', { name: 'Connect GitHub' }).click();
  await page.waitForURL((u) => u.pathname === '/login/oauth/authorize');
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await backAt(page, '/settings/social');
  await expect(page.getByRole('alert')).toContainText('Access was not granted at the provider, so nothing was changed.');
  await expect(github).toContainText('Not linked.');
  await expect.poll(() => new URL(page.url()).search, { message: 'the marker goes, the error stays' }).toBe('?error=access_denied');
  await expect(successNotice(page)).toBeEmpty();
  await page.getByRole('alert').getByRole('button', { name: 'Dismiss' }).click();
  await expectAccessible(page);

  // A crafted link saying GitHub was connected: the account says otherwise, so nothing is said.
  await page.goto('/settings/social?connected=github');
  await expect(github).toContainText('Not linked.');
  await expect.poll(() => new URL(page.url()).search).toBe('');
  await expect(successNotice(page)).toBeEmpty();
  await expectAccessible(page);

  // Connect Google: its form asks to come back marked, and back here the page says which account
  // is now connected, by its email, in a polite live region that can be dismissed.
  const google = socialRow(page, 'Google');
  const connect = google.getByRole('button', { name: 'Connect Google' });
  await expectFlowForm(connect, '/auth/google/start');
  await expect(connect.locator('xpath=ancestor::form[1]').locator('input[name=return_to]'))
    .toHaveValue('/settings/social?connected=google');
  await throughProvider(page, 'google', email, () => connect.click());
  await backAt(page, '/settings/social');
  const connected = `Your Google account ${email} is now connected. You can sign in with it from now on.`;
  await expect(successNotice(page)).toHaveText(connected);
  await expect(page.getByRole('status').filter({ hasText: 'is now connected' })).toHaveText(connected);
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(google).toContainText(`Linked as ${email}`);
  await expect.poll(() => new URL(page.url()).search, { message: 'the marker is taken out of the address' }).toBe('');
  await expectAccessible(page);
  await screenshot(page, testInfo, 'connected');
  await page.setViewportSize(PHONE);
  await expectNoSidewaysScrolling(page);
  await expectAccessible(page);
  await screenshot(page, testInfo, 'connected-390px');
  await screenshot(page, testInfo, 'connected-notice-390px', page.locator('.notice--success'));
  await page.setViewportSize(DESKTOP);

  const dismiss = page.locator('.notice--success').getByRole('button', { name: 'Dismiss' });
  await expect(dismiss).toHaveAccessibleDescription(connected);
  await dismiss.click();
  await expect(successNotice(page)).toBeEmpty();
  await expect(page.locator('.notice--success')).toHaveCount(0);
  await expect(page.getByRole('main')).toBeFocused();
  // A reload says nothing again: the marker is gone from the address.
  await page.reload();
  await expect(google).toContainText(`Linked as ${email}`);
  await expect(successNotice(page)).toBeEmpty();
  await expectAccessible(page);

  // Enable Search & Link: back on the overview it says so, and goes once the person goes on.
  await enablePermission(page, 'Search & Link', orcid);
  const enabled = 'Search & Link is enabled: DataCite can now add the works you choose to your ORCID record.';
  await expect(successNotice(page)).toHaveText(enabled);
  await expect.poll(() => new URL(page.url()).search).toBe('');
  await expectAccessible(page);
  await screenshot(page, testInfo, 'granted');
  await page.setViewportSize(PHONE);
  await expectNoSidewaysScrolling(page);
  await expectAccessible(page);
  await screenshot(page, testInfo, 'granted-390px');
  await page.setViewportSize(DESKTOP);
  await page.getByRole('link', { name: 'More info' }).click();
  await backAt(page, CLAIMS.list);
  await expect(region(page, 'Your claims')).toBeVisible();
  await expectAccessible(page);
  await settingsMenu(page).getByRole('link', { name: 'ORCID claims' }).click();
  await backAt(page, CLAIMS.overview);
  await expect(permissionBoxEnabled(page)).toBeVisible();
  await expect(successNotice(page)).toBeEmpty();
  const permissions = await apiFromPage(page, 'GET', '/api/v1/accounts/me/permissions');
  expect(permissions.body.find((p) => p.kind === 'search_and_link').status).toBe('active');
});

const permissionBoxEnabled = (page) => region(page, 'Search & Link').getByText('Enabled', { exact: true });

/** At 390 px: nothing wider than the screen, axe clean, the row on screen, and pictures of both. */
async function atPhoneWidth(page, testInfo, row, suffix) {
  await page.setViewportSize(PHONE);
  try {
    await expect(row).toBeVisible();
    await expectNoSidewaysScrolling(page);
    const box = await row.boundingBox();
    expect(box.x + box.width, 'the row fits the screen').toBeLessThanOrEqual(PHONE.width);
    await expectAccessible(page);
    await screenshot(page, testInfo, `${suffix}-390px`);
    await screenshot(page, testInfo, `${suffix}-row-390px`, row);
  } finally {
    await page.setViewportSize(DESKTOP);
  }
}

test('34. claims ORCID answered with a 500, or refused, read in plain words on the list of claims: no "HTTP 500"', async ({ page }, testInfo) => {
  await page.setViewportSize(DESKTOP);
  const orcid = randomOrcid();
  const refused = await registerDoi([orcid], 'Refused by ORCID');
  const unanswered = await registerDoi([orcid], 'Unanswered at first');
  await signInWithOrcid(page, orcid);
  await enablePermission(page, 'Search & Link', orcid);

  // ORCID refuses (400) the first push for good…
  await orcidApi.failNext({ orcid, status: 400, method: 'POST', count: 1 });
  await addWithSearchAndLink(page, refused);
  await openClaimList(page);
  const refusedRow = claimRow(page, refused.doi);
  await expect(refusedRow.getByText('Failed', { exact: true })).toBeVisible({ timeout: 15_000 });
  await expect(refusedRow).toContainText('ORCID refused this work: The client application sent a bad request to ORCID.');
  await expect(refusedRow).not.toContainText('HTTP');

  // …and answers the next three with a 500: the claim waits and is tried again on its own.
  await orcidApi.failNext({ orcid, status: 500, method: 'POST', count: 3 });
  await addWithSearchAndLink(page, unanswered);
  await openClaimList(page);
  const unansweredRow = claimRow(page, unanswered.doi);
  await expect(unansweredRow).toContainText('ORCID did not answer. We will try again on our own.', { timeout: 15_000 });
  await expect(unansweredRow.getByText(/^(Queued|In progress)$/)).toBeVisible();
  await expect(unansweredRow).not.toContainText(/\bHTTP\b|\b500\b/);
  await expect(region(page, 'Your claims')).not.toContainText('HTTP');
  // The API keeps ORCID's own words for staff (the admin area shows them, journey 13).
  const stored = await apiFromPage(page, 'GET', `/api/v1/claims?doi=${encodeURIComponent(unanswered.doi)}`);
  const error = stored.body.data[0]?.error;
  expect(error?.code).toBe('orcid_unavailable');
  expect(error?.message).toContain('HTTP 500');
  await expectAccessible(page);
  await screenshot(page, testInfo, 'plain-words');
  await atPhoneWidth(page, testInfo, unansweredRow, 'did-not-answer');

  // ORCID answers again: the work arrives, and the row says it is in the record, nothing more.
  await waitForOrcidRecord(orcidApi, orcid, unanswered.doi, (works) => works.length === 1, 'the work arrives once', 45_000);
  await expect(unansweredRow.getByText('In your ORCID record', { exact: true })).toBeVisible({ timeout: 15_000 });
  await expect(unansweredRow).not.toContainText('ORCID did not answer');
  await expectAccessible(page);
});
