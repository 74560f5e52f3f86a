import { vi } from 'vitest';
import type { components, paths } from '../api/schema';
import { jsonResponse, requestUrl } from './render';

/**
 * A fetch-level stand-in for the API, typed by the generated schema: handlers are keyed by
 * "METHOD /path/{param}" as in openapi.json, and a handler's plain return value must be that
 * operation's success body. Return a Response (e.g. `problem(...)`) for anything else.
 */

type Method = 'get' | 'post' | 'patch' | 'delete' | 'put';

export type RouteKey = {
  [P in keyof paths]: {
    [M in Method]: paths[P][M] extends undefined ? never : `${Uppercase<M>} ${P}`;
  }[Method];
}[keyof paths];

type PathOf<K extends RouteKey> = K extends `${string} ${infer P extends keyof paths}` ? P : never;
type MethodOf<K extends RouteKey> = K extends `${infer M} ${string}` ? Lowercase<M> & Method : never;
type Responses<K extends RouteKey> = NonNullable<paths[PathOf<K>][MethodOf<K>]> extends { responses: infer R }
  ? R
  : never;
type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;

/** The JSON body of the operation's 200 or 201 response. */
export type SuccessBody<K extends RouteKey> = {
  [S in keyof Responses<K>]: S extends 200 | 201 ? JsonOf<Responses<K>[S]> : never;
}[keyof Responses<K>];

export interface RequestInfo {
  request: Request;
  url: URL;
  params: Record<string, string>;
  /** The parsed JSON body, or undefined. */
  body: unknown;
}

/** `undefined` answers 204 No Content. */
export type Handler<K extends RouteKey> = (
  info: RequestInfo,
) => SuccessBody<K> | Response | undefined | Promise<SuccessBody<K> | Response | undefined>;

export type Handlers = { [K in RouteKey]?: Handler<K> };

export interface Call {
  method: string;
  path: string;
  search: string;
  body: unknown;
}

type Problem = components['schemas']['Problem'];

/** An RFC 9457 problem response, as the API sends it (its code one of the API's error codes). */
export function problem(
  status: number,
  code: Problem['code'],
  detail: string,
  errors?: components['schemas']['FieldError'][],
): Response {
  const body: Problem = {
    type: `urn:profiles:problem:${code}`,
    title: 'Error',
    status,
    code,
    detail,
    ...(errors ? { errors } : {}),
  };
  return jsonResponse(body, { status, headers: { 'Content-Type': 'application/problem+json' } });
}

/** A 202 Accepted with a JSON body (e.g. a queued claim); plain handler returns answer 200. */
export function accepted(body: unknown): Response {
  return jsonResponse(body, { status: 202 });
}

export const sessionExpired = () =>
  problem(401, 'session_expired', 'Your session has ended (signed out, revoked or expired). Please sign in again.');

export const unauthenticated = () => problem(401, 'unauthenticated', 'Sign in first.');

/**
 * A guarded action's answer when the session's sign-in is too old: the session itself is live.
 * The API sends 401; its document lists 403 for the client applications' operations.
 */
export const reauthenticationRequired = (status: 401 | 403 = 401) =>
  problem(status, 'reauthentication_required', 'This needs a recent sign-in. Sign in again and repeat it.');

function matcher(template: string): RegExp {
  const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, '(?<$1>[^/]+)');
  return new RegExp(`^${pattern}$`);
}

/**
 * Replaces `fetch` with the API stand-in. Later handlers win over earlier ones for the same key;
 * `set` swaps one mid-test. Every request is recorded in `calls`.
 */
export function mockApi(...handlerSets: Handlers[]) {
  const handlers: Handlers = Object.assign({}, ...handlerSets) as Handlers;
  const calls: Call[] = [];

  const fetchMock = vi.fn(async (input: globalThis.RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(requestUrl(input), init);
    const url = new URL(request.url);
    const text = await request.clone().text();
    const body: unknown = text ? JSON.parse(text) : undefined;
    calls.push({ method: request.method, path: url.pathname, search: url.search, body });

    type AnyHandler = (info: RequestInfo) => unknown;
    for (const [key, handler] of Object.entries(handlers) as [RouteKey, AnyHandler | undefined][]) {
      const [method, template = ''] = key.split(' ');
      const match = matcher(template).exec(url.pathname);
      if (method !== request.method || !match || !handler) continue;
      const result: unknown = await handler({ request, url, params: { ...match.groups }, body });
      if (result instanceof Response) return result;
      if (result === undefined) return new Response(null, { status: 204 });
      return jsonResponse(result);
    }
    // Not a code the API sends: a test that reaches this asked for something it did not mock.
    return problem(501, 'not_mocked' as Problem['code'], `The test has no handler for ${request.method} ${url.pathname}.`);
  });
  vi.stubGlobal('fetch', fetchMock);

  return {
    calls,
    /** Replaces (or adds) one handler. */
    set<K extends RouteKey>(key: K, handler: Handler<K>) {
      (handlers as Record<string, unknown>)[key] = handler;
    },
    /** The calls to `METHOD /path`, e.g. `callsTo('DELETE', '/api/v1/accounts/me/sessions/s2')`. */
    callsTo(method: string, path: string): Call[] {
      return calls.filter((c) => c.method === method && c.path === path);
    },
  };
}
