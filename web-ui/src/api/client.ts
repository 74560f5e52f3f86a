import createClient from 'openapi-fetch';
import type { paths } from './schema';

/**
 * Typed client for the Profiles API. The types in ./schema.d.ts are generated from
 * openapi/openapi.json (`npm run gen:api`), never written by hand.
 *
 * The API is always same-origin: in production it serves this SPA, in development Vite proxies it.
 */
export const api = createClient<paths>({
  // openapi-fetch builds a `Request`, which needs an absolute URL outside browsers (jsdom tests).
  baseUrl: globalThis.location.origin,
  // Look `fetch` up on every call rather than once at import time, so tests can stub it.
  fetch: (request) => globalThis.fetch(request),
});
