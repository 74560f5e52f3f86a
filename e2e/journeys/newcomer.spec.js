// Journeys 29–31: three findings from a newcomer's walk-through (issue 14, minor ones). The landing
// page says what Profiles does and how, for a researcher, and nothing about the service's own
// health (that is for operators: /readyz, /metrics, `profiles doctor`); the menu's "ORCID record"
// and "Your DOIs in DataCite Search" go to the ORCID and DataCite sites the service is set up with
// (here the stand-ins), not to the live ones; the name field says its limit before anything is
// typed, and an emptied name is refused next to it.
import { expectAccessible } from '../support/a11y.js';
import { datacite, randomDoi, randomOrcid } from '../support/doubles.js';
import { expect, screenshot, test } from '../support/fixtures.js';
import { apiFromPage, backAt, signInAtProvider, signInWithOrcid, testResearcher } from '../support/flows.js';

const origin = (url) => new URL(url).origin;

/** The value next to `term` in the account overview. */
const fact = (page, term) => page.locator('dl.details > div')
  .filter({ has: page.locator('dt', { hasText: new RegExp(`^${term}$`) }) })
  .locator('dd');

/** Nothing wider than the screen. */
async function expectNoSidewaysScrolling(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `no sideways scrolling at ${page.viewportSize().width} px (${what})`).toBeLessThanOrEqual(0);
}

/** At 390 px wide (a phone): nothing wider than the screen, axe still clean, and a picture. */
async function atPhoneWidth(page, testInfo, suffix, element) {
  const desktop = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    if (element) await expect(element).toBeVisible();
    await expectNoSidewaysScrolling(page, suffix);
    await expectAccessible(page);
    await screenshot(page, testInfo, `${suffix}-390px`);
    if (element) await screenshot(page, testInfo, `${suffix}-box-390px`, element);
  } finally {
    await page.setViewportSize(desktop);
  }
}

/** What the landing page tells everyone, signed in or not. */
async function expectLandingPage(page) {
  const main = page.getByRole('main');
  await expect(page.getByRole('heading', { level: 1, name: 'Your researcher account' })).toBeVisible();
  await expect(main).toContainText('It adds your DataCite DOIs to your ORCID record as works.');

  const how = page.getByRole('region', { name: 'How it works' });
  const steps = how.getByRole('listitem');
  await expect(steps).toHaveCount(4);
  // In this order (numbered by the stylesheet: an ordered list).
  await expect(steps.getByRole('heading', { level: 3 }))
    .toHaveText(['Sign in with ORCID', 'Link your other accounts', 'Search & Link', 'Auto-Update']);
  await expect(steps.nth(0)).toContainText('or with Google or GitHub once they are linked to your ORCID iD');
  await expect(steps.nth(2)).toContainText('add the ones you choose, one by one. Each one becomes a work in your ORCID record.');
  await expect(steps.nth(3)).toContainText('When a new DataCite DOI names your ORCID iD, Auto-Update adds it to your ORCID record for you.');
  await expect(how).toContainText('Search & Link and Auto-Update each need your permission. You give it on ORCID when you turn one on in your settings.');

  const control = page.getByRole('region', { name: 'You stay in control' });
  await expect(control.getByRole('listitem')).toHaveText([
    'Remove any work that DataCite added to your ORCID record.',
    'Revoke a permission at any time, in your settings or on ORCID.',
    'See where you are signed in, and sign out other browsers.',
    'Download your data, or delete your account.',
  ]);
  await expect(page.getByRole('region', { name: 'For developers' }).getByRole('link', { name: 'API reference' }))
    .toHaveAttribute('href', '/api/docs');

  // The service's health is for its operators, not for researchers.
  for (const words of ['Service status', 'Jobs queued', 'Database', 'Version']) {
    await expect(main.getByText(words)).toHaveCount(0);
  }
}

test('29. the landing page says what Profiles does and how, with "Sign in" (or "Go to your settings"), and no service status', async ({ page }, testInfo) => {
  const orcid = randomOrcid();
  const statusCalls = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/api/v1/status') statusCalls.push(request.url());
  });

  await page.goto('/');
  await expectLandingPage(page);
  const main = page.getByRole('main');
  const signIn = main.getByRole('link', { name: 'Sign in', exact: true });
  await expect(signIn).toHaveAttribute('href', '/sign-in');
  await expect(main).toContainText('The first time you sign in with ORCID, your account is created.');
  await expect(main.getByRole('link', { name: 'Go to your settings' })).toHaveCount(0);
  await expectNoSidewaysScrolling(page, 'landing page');
  await expectAccessible(page);
  await screenshot(page, testInfo, 'landing');
  await atPhoneWidth(page, testInfo, 'landing');

  // A newcomer signs in from here, for the first time.
  await signIn.click();
  await backAt(page, '/sign-in');
  await expectAccessible(page);
  await page.getByRole('link', { name: 'Sign in with ORCID' }).click();
  await signInAtProvider(page, 'orcid', orcid);
  await backAt(page, '/settings');
  await expect(page.getByRole('heading', { level: 1, name: 'Personal settings' })).toBeVisible();
  await expectAccessible(page);

  // Signed in, the same page offers the way to their settings instead (it no longer jumps there).
  await page.getByRole('banner').getByRole('link', { name: 'Profiles' }).click();
  await backAt(page, '/');
  await expectLandingPage(page);
  const settings = main.getByRole('link', { name: 'Go to your settings' });
  await expect(settings).toHaveAttribute('href', '/settings');
  await expect(main).toContainText(`You are signed in as ${testResearcher(orcid)}.`);
  await expect(main.getByRole('link', { name: 'Sign in', exact: true })).toHaveCount(0);
  await expectAccessible(page);
  await screenshot(page, testInfo, 'landing-signed-in');
  await atPhoneWidth(page, testInfo, 'landing-signed-in');
  await settings.click();
  await backAt(page, '/settings');
  await expect(page.getByRole('heading', { level: 1, name: 'Personal settings' })).toBeVisible();

  expect(statusCalls, 'the landing page does not ask for the service status').toEqual([]);
});

test('30. the menu\'s "ORCID record" and "Your DOIs in DataCite Search" go to the ORCID and DataCite sites the service is set up with, here the stand-ins', async ({ page, stack }, testInfo) => {
  const orcid = randomOrcid();
  const doi = randomDoi('newcomer');
  await datacite.addDoi({ doi, title: 'Kettle Pond sensor readings (journey 30)', orcids: [orcid] });
  await signInWithOrcid(page, orcid);
  const orcidSite = origin(stack.urls.orcid);
  const searchSite = origin(stack.urls.datacite);

  // The sites the API says it is set up with: the stand-ins, not orcid.org or commons.datacite.org.
  const providers = await apiFromPage(page, 'GET', '/api/v1/auth/providers');
  expect(providers.body.datacite_search_url).toBe(searchSite);

  const banner = page.getByRole('banner');
  const menu = banner.getByRole('button', { name: testResearcher(orcid) });
  await menu.click();
  const search = banner.getByRole('link', { name: 'Your DOIs in DataCite Search' });
  const record = banner.getByRole('link', { name: 'ORCID record' });
  await expect(search).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, testInfo, 'menu');

  // DataCite Search: the search for the DOIs that name this iD, on the configured site.
  const searchHref = await search.getAttribute('href');
  expect(origin(searchHref)).toBe(searchSite);
  expect(new URL(searchHref).pathname).toBe('/doi.org');
  expect(new URL(searchHref).searchParams.get('query')).toContain(orcid);
  await search.click();
  await page.waitForURL((u) => u.origin === searchSite && u.pathname === '/doi.org');
  await expect(page.getByRole('heading', { level: 1, name: 'Search DOIs' })).toBeVisible();
  await expect(page.getByRole('main')).toContainText(doi);
  await expect(page.getByRole('main')).toContainText('1 DOI');
  await expectAccessible(page);
  await screenshot(page, testInfo, 'datacite-search');
  await page.goBack();
  await backAt(page, '/settings');
  await expect(page.getByRole('heading', { level: 1, name: 'Personal settings' })).toBeVisible();

  // The ORCID record: <the configured ORCID site>/<iD>, in the menu and on the account overview.
  await menu.click();
  await expect(record).toBeVisible();
  await expect(record).toHaveAttribute('href', `${orcidSite}/${orcid}`);
  await expect(fact(page, 'ORCID iD').getByRole('link')).toHaveAttribute('href', `${orcidSite}/${orcid}`);
  await expectAccessible(page);
  const me = await apiFromPage(page, 'GET', '/api/v1/accounts/me');
  expect(me.body.orcid_url).toBe(`${orcidSite}/${orcid}`);
  expect(origin(providers.body.orcid_url), 'GET /auth/providers names the configured ORCID site').toBe(orcidSite);
});

test('31. the name field says "Up to 200 characters" before anything is typed, takes no more, and refuses an emptied name next to it', async ({ page }, testInfo) => {
  const orcid = randomOrcid();
  const name = testResearcher(orcid);
  await signInWithOrcid(page, orcid);
  await expect(fact(page, 'Name')).toHaveText(name);

  await page.getByRole('button', { name: 'Edit' }).click();
  const form = page.getByRole('form', { name: 'Edit your account' });
  const field = form.getByLabel('Name', { exact: true });
  await expect(field).toHaveValue(name);
  // Said before the person types, and tied to the field.
  await expect(form.getByText('Up to 200 characters.')).toBeVisible();
  await expect(field).toHaveAccessibleDescription('Up to 200 characters.');
  await expect(field).toHaveAttribute('maxlength', '200');
  await expect(field).not.toHaveAttribute('aria-invalid');
  await expectAccessible(page);
  await screenshot(page, testInfo, 'name-hint');

  // No more than 200 characters go in: the 201st typed is not taken.
  await field.fill('x'.repeat(199));
  await field.pressSequentially('yz');
  await expect(field).toHaveValue(`${'x'.repeat(199)}y`);

  // Emptied (or only spaces): refused next to the field, nothing sent.
  const patches = [];
  page.on('request', (request) => {
    if (request.method() === 'PATCH' && new URL(request.url()).pathname === '/api/v1/accounts/me') patches.push(request);
  });
  await field.fill('   ');
  await form.getByRole('button', { name: 'Save changes' }).click();
  const empty = 'Your name cannot be empty. Type the name to show (up to 200 characters).';
  await expect(form.getByText(empty)).toBeVisible();
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expect(field).toHaveAccessibleDescription(`Up to 200 characters. ${empty}`);
  await expect(field).toBeFocused();
  expect(patches, 'nothing is sent').toHaveLength(0);
  await expectAccessible(page);
  await screenshot(page, testInfo, 'name-empty');
  await atPhoneWidth(page, testInfo, 'name-empty', field.locator('xpath=ancestor::div[contains(@class, "field")][1]'));

  // The API refuses both as the form says (422), should anything else send them.
  const spaces = await apiFromPage(page, 'PATCH', '/api/v1/accounts/me', { name: '   ' });
  expect([spaces.status, spaces.body.code]).toEqual([422, 'invalid_name']);
  const long = await apiFromPage(page, 'PATCH', '/api/v1/accounts/me', { name: 'x'.repeat(201) });
  expect([long.status, long.body.code]).toEqual([422, 'invalid_field']);

  // A name saves, and the message goes as soon as one is typed.
  await field.fill('Josiah S. Researcher');
  await expect(form.getByText(empty)).toHaveCount(0);
  await expect(field).not.toHaveAttribute('aria-invalid');
  await form.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'saved' })).toHaveText('Your changes were saved.');
  await expect(fact(page, 'Name')).toHaveText('Josiah S. Researcher');
  await expectAccessible(page);
  const me = await apiFromPage(page, 'GET', '/api/v1/accounts/me');
  expect(me.body.name).toBe('Josiah S. Researcher');
});
