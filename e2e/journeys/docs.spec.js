// Journey 12: the API documentation (Swagger UI) in the browser.
import { expectAccessible } from '../support/a11y.js';
import { expect, test } from '../support/fixtures.js';
import { backAt } from '../support/flows.js';

// The claims endpoints of openapi/openapi.json, as Swagger UI lists them: method and path.
const CLAIMS_ENDPOINTS = [
  ['GET', '/api/v1/claims'],
  ['POST', '/api/v1/claims'],
  ['GET', '/api/v1/claims/{id}'],
  ['DELETE', '/api/v1/claims/{id}'],
  ['POST', '/api/v1/claims/{id}/retry'],
  ['POST', '/api/v1/events/dois'],
];

test('12. the API docs at /api/docs load in the browser and list the claims endpoints', async ({ page }) => {
  await page.goto('/api/docs');
  await backAt(page, '/api/docs/');
  await expect(page.getByRole('heading', { level: 2, name: /^Profiles API/ })).toBeVisible();

  const claims = page.locator('.opblock-tag-section').filter({ has: page.locator('.opblock-tag', { hasText: /^claims/ }) });
  await expect(claims).toBeVisible();
  for (const [method, path] of CLAIMS_ENDPOINTS) {
    await expect(
      claims.locator('.opblock').filter({ has: page.locator('.opblock-summary-method', { hasText: new RegExp(`^${method}$`) }) })
        .filter({ has: page.locator('.opblock-summary-path', { hasText: new RegExp(`^${path.replace(/[{}]/g, '\\$&')}$`) }) }),
      `${method} ${path} is listed under "claims"`,
    ).toBeVisible();
  }
  await expectAccessible(page);
});
