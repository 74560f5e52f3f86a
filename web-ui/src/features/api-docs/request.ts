// "Try it out": the request an operation's form describes, and what the server answered.
import type { Method, ParameterObject } from './openapi';

export interface TryRequest {
  method: Method;
  /** The path template, e.g. `/api/v1/claims/{id}`. */
  path: string;
  parameters: ParameterObject[];
  /** What was typed for each parameter, keyed by `parameterKey`. */
  values: Record<string, string>;
  /** The JSON body as typed; empty: no body. */
  body?: string | undefined;
  /** The body's media type, e.g. `application/json`. */
  bodyType?: string | undefined;
  /** The pasted bearer token, when this operation takes one; never stored anywhere. */
  bearerToken?: string | undefined;
}

/** The key of a parameter's value in a form: `query:page[size]`. */
export const parameterKey = (parameter: Pick<ParameterObject, 'in' | 'name'>) => `${parameter.in}:${parameter.name}`;

/** A problem with what was typed, for the field it belongs to (`parameterKey`, or `body`). */
export interface InputProblem {
  field: string;
  message: string;
}

export interface BuiltRequest {
  /** Same-origin: path and query only. */
  url: string;
  init: RequestInit & { headers: Headers };
}

/**
 * The URL and fetch options for `request`, or the problems with what was typed: a required path
 * parameter left empty, a body that is not JSON. Path values are percent-encoded; empty query
 * values are left out. The session cookie goes along (same origin) whatever the operation takes;
 * `Authorization` only when a token is given.
 */
export function buildRequest(request: TryRequest): BuiltRequest | InputProblem[] {
  const problems: InputProblem[] = [];
  let path = request.path;
  const query = new URLSearchParams();
  const headers = new Headers();

  for (const parameter of request.parameters) {
    const key = parameterKey(parameter);
    const value = request.values[key] ?? '';
    if (parameter.in === 'path') {
      if (value.trim() === '') {
        problems.push({ field: key, message: `Enter ${parameter.name}: it is part of the path.` });
        continue;
      }
      path = path.split(`{${parameter.name}}`).join(encodeURIComponent(value.trim()));
    } else if (value === '') {
      if (parameter.required) problems.push({ field: key, message: `Enter ${parameter.name}: it is required.` });
    } else if (parameter.in === 'query') {
      query.append(parameter.name, value);
    } else if (parameter.in === 'header') {
      headers.set(parameter.name, value);
    }
    // A cookie parameter cannot be set by a page's script; the browser sends its own cookies.
  }

  let body: string | undefined;
  const text = request.body?.trim() ?? '';
  if (text !== '') {
    const type = request.bodyType ?? 'application/json';
    if (/\bjson\b|\+json\b/i.test(type)) {
      try {
        JSON.parse(text);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        problems.push({ field: 'body', message: `The body is not valid JSON: ${reason}` });
      }
    }
    body = text;
    headers.set('Content-Type', type);
  }

  if (problems.length > 0) return problems;
  if (request.bearerToken) headers.set('Authorization', `Bearer ${request.bearerToken}`);
  const search = query.toString();
  return {
    url: search ? `${path}?${search}` : path,
    init: {
      method: request.method.toUpperCase(),
      headers,
      body,
      // Same origin only: the session cookie is sent, and the browser adds `Origin` to writes,
      // as the server checks for cookie-authenticated writes.
      credentials: 'same-origin',
      mode: 'same-origin',
      cache: 'no-store',
    },
  };
}

export interface TryResponse {
  status: number;
  statusText: string;
  /** Every response header the page may read, in the browser's order (lower-case names). */
  headers: [string, string][];
  contentType: string | undefined;
  /** The body as sent; JSON pretty-printed. */
  body: string;
  /** How long it took, in milliseconds. */
  elapsedMs: number;
}

/** A readable form of a body: JSON indented, anything else as it came. */
export function formatBody(text: string, contentType: string | undefined): string {
  if (text === '' || !/\bjson\b|\+json\b/i.test(contentType ?? '')) return text;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** Sends a built request (same origin) and reads the whole answer. */
export async function sendRequest(built: BuiltRequest, signal?: AbortSignal): Promise<TryResponse> {
  const started = performance.now();
  const url = new URL(built.url, globalThis.location.origin);
  const response = await globalThis.fetch(url, { ...built.init, signal: signal ?? null });
  const text = await response.text();
  const contentType = response.headers.get('Content-Type') ?? undefined;
  const headers: [string, string][] = [];
  response.headers.forEach((value, name) => {
    headers.push([name, value]);
  });
  return {
    status: response.status,
    statusText: response.statusText,
    headers,
    contentType,
    body: formatBody(text, contentType),
    elapsedMs: Math.round(performance.now() - started),
  };
}

/** The request as text (`GET /path`, then its headers), the token shortened. */
export function describeRequest(built: BuiltRequest): string {
  const lines = [`${built.init.method ?? 'GET'} ${built.url}`];
  built.init.headers.forEach((value, name) => {
    lines.push(`${name}: ${name.toLowerCase() === 'authorization' ? maskAuthorization(value) : value}`);
  });
  return lines.join('\n');
}

/** `Bearer eyJhbGciOi…` (the start only): enough to recognise, not enough to reuse. */
export function maskAuthorization(value: string): string {
  const [scheme = '', token = ''] = value.split(' ', 2);
  return `${scheme} ${maskToken(token)}`;
}

export const maskToken = (token: string) => (token.length <= 12 ? '…' : `${token.slice(0, 10)}…`);

/** What kind of token was pasted: our API tokens start with `prf_`, anything else is taken as a JWT. */
export const tokenKind = (token: string) => (token.startsWith('prf_') ? 'API token' : 'JWT');
