// Journey 12: the API reference at /api/docs, the web UI's own page read from /api/openapi.json:
// accessible with every axe rule (light and dark, 1280 and 390 px), the claims endpoints listed,
// and "Try it out" with a JWT pasted into "Authorize".
import { expectAccessible } from '../support/a11y.js';
import { randomOrcid } from '../support/doubles.js';
import { expect, screenshot, test } from '../support/fixtures.js';
import { apiFromPage, backAt, signInWithOrcid } from '../support/flows.js';

// The claims endpoints of openapi/openapi.json, as the reference lists them: method and path.
const CLAIMS_ENDPOINTS = [
  ['GET', '/api/v1/claims'],
  ['POST', '/api/v1/claims'],
  ['GET', '/api/v1/claims/{id}'],
  ['DELETE', '/api/v1/claims/{id}'],
  ['POST', '/api/v1/claims/{id}/retry'],
  ['POST', '/api/v1/events/dois'],
];

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** An operation's disclosure button: its name is method, path, then the summary. */
const operation = (scope, method, path) => scope.getByRole('button', { name: new RegExp(`^${method} ${escape(path)}( |$)`) });

/** Opens an operation; returns its panel. */
async function openOperation(page, method, path) {
  const button = operation(page, method, path);
  await button.click();
  await expect(button).toHaveAttribute('aria-expanded', 'true');
  const panel = page.locator(`[id="${await button.getAttribute('aria-controls')}"]`);
  await expect(panel).toBeVisible();
  return panel;
}

/** The next request to `path` the page sends, with all its headers. */
const nextRequest = (page, path) => page.waitForRequest((r) => new URL(r.url()).pathname === path && r.resourceType() === 'fetch');

test('12. the API reference at /api/docs: accessible, lists the claims endpoints, and "Try it out" with a JWT reads the account', async ({ page }, testInfo) => {
  const orcid = randomOrcid();
  await signInWithOrcid(page, orcid);

  await page.goto('/api/docs');
  await backAt(page, '/api/docs');
  await expect(page.getByRole('heading', { level: 1, name: 'Profiles API' })).toBeVisible();
  const claims = page.getByRole('region', { name: 'claims', exact: true });
  for (const [method, path] of CLAIMS_ENDPOINTS) {
    await expect(operation(claims, method, path), `${method} ${path} is listed under "claims"`).toBeVisible();
  }
  // Every axe rule, in both colour schemes.
  await expectAccessible(page);
  await page.emulateMedia({ colorScheme: 'dark' });
  await expectAccessible(page);
  await page.emulateMedia({ colorScheme: 'light' });

  // A public operation goes without the token.
  const status = await openOperation(page, 'GET', '/api/v1/status');
  await expect(status).toContainText('Credentials: None (public)');
  // Browser flows are linked, never tried with a fetch.
  const start = await openOperation(page, 'GET', '/auth/{provider}/start');
  await expect(start.getByRole('link', { name: '/auth/orcid/start' })).toHaveAttribute('href', '/auth/orcid/start');
  await expect(start.getByRole('button', { name: 'Send request' })).toHaveCount(0);

  const me = await openOperation(page, 'GET', '/api/v1/accounts/me');
  await expect(me).toContainText('Credentials: Session cookie or Bearer JWT');

  // A JWT for this session, as other services get one (the suite's JWTs live 4 s: mint it last).
  const { status: minted, body: jwt } = await apiFromPage(page, 'POST', '/api/v1/tokens');
  expect(minted).toBe(201);
  await page.getByLabel('Bearer token (JWT or API token)').fill(jwt.access_token);
  await page.getByRole('button', { name: 'Authorize', exact: true }).click();
  await expect(page.getByText(/^A JWT is set \(/)).toBeVisible();
  await expect(me).toContainText('Sent with your token');

  const sent = nextRequest(page, '/api/v1/accounts/me');
  await me.getByRole('button', { name: 'Send request' }).click();
  const headers = await (await sent).allHeaders();
  expect(headers.authorization).toBe(`Bearer ${jwt.access_token}`);
  await expect(me.getByRole('status')).toHaveText('Response: 200 OK');
  await expect(me.locator('.try__facts')).toContainText('application/json');
  await expect(me.locator('.try__body')).toContainText(`"orcid": "${orcid}"`);
  // The token is never shown whole, nor kept anywhere but the page's memory.
  await expect(page.getByText(jwt.access_token)).toHaveCount(0);
  expect(await page.evaluate(() => localStorage.length + sessionStorage.length)).toBe(0);

  const publicSent = nextRequest(page, '/api/v1/status');
  await status.getByRole('button', { name: 'Send request' }).click();
  expect((await (await publicSent).allHeaders()).authorization).toBeUndefined();
  await expect(status.getByRole('status')).toHaveText('Response: 200 OK');

  // With the answers on screen, at 1280 and at 390 px wide.
  await expectAccessible(page);
  await screenshot(page, testInfo, '1280px');
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, 'no sideways scrolling at 390 px').toBeLessThanOrEqual(0);
  await expectAccessible(page);
  await page.emulateMedia({ colorScheme: 'dark' });
  await expectAccessible(page);
  await page.emulateMedia({ colorScheme: 'light' });
  await screenshot(page, testInfo, '390px');
  await screenshot(page, testInfo, '390px-try-it-out', me);
});
