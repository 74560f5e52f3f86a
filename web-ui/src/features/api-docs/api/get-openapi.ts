import { queryOptions, useQuery } from '@tanstack/react-query';
import { isOpenApiDocument, type OpenApiDocument } from '../openapi';

/** Where the server publishes its OpenAPI document (same origin, no credentials needed). */
export const OPENAPI_URL = '/api/openapi.json';

/** `GET /api/openapi.json`: the API's OpenAPI 3.1 document, as the server describes itself. */
export async function getOpenApi(signal?: AbortSignal): Promise<OpenApiDocument> {
  const response = await globalThis.fetch(new URL(OPENAPI_URL, globalThis.location.origin), {
    signal: signal ?? null,
    headers: { Accept: 'application/json' },
  });
  if (!response.ok) {
    throw new Error(`The server answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new Error('The server’s answer is not JSON.');
  }
  if (!isOpenApiDocument(body)) throw new Error('The server’s answer is not an OpenAPI document.');
  return body;
}

export const openApiQueryOptions = () =>
  queryOptions({
    queryKey: ['openapi'],
    queryFn: ({ signal }) => getOpenApi(signal),
    // The document changes only with a new release of the server.
    staleTime: Infinity,
  });

export const useOpenApi = () => useQuery(openApiQueryOptions());
