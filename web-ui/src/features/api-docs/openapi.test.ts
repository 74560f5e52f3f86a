import { describe, expect, it } from 'vitest';
import {
  acceptsBearerToken,
  constraintsOf,
  deref,
  exampleOf,
  groupByTag,
  isBrowserFlow,
  isOpenApiDocument,
  orList,
  propertiesOf,
  resolvePointer,
  securityInWords,
  typeText,
  type OpenApiDocument,
  type SchemaObject,
} from './openapi';
import { buildRequest, describeRequest, formatBody, type BuiltRequest } from './request';
import { specFixture } from './test/spec-fixture';

// The server's own document, as the page loads it from /api/openapi.json.
const served = Object.values(
  import.meta.glob<OpenApiDocument>('../../../../openapi/openapi.json', { eager: true, import: 'default' }),
)[0];

const doc = specFixture();
const schema = (name: string) => ({ $ref: `#/components/schemas/${name}` });

describe('$ref resolution', () => {
  it('follows local pointers, chains of them, and leaves unknown ones as they are', () => {
    expect(resolvePointer(doc, '#/components/schemas/Colour')).toMatchObject({ enum: ['red', 'green'] });
    expect(resolvePointer(doc, '#/components/schemas/Nothing')).toBeUndefined();
    expect(resolvePointer(doc, 'https://example.org/schema.json')).toBeUndefined();
    const chained: OpenApiDocument = {
      ...doc,
      components: { schemas: { A: schema('B'), B: schema('C'), C: { type: 'boolean' }, Loop: schema('Loop') } },
    };
    expect(deref(chained, schema('A'))).toEqual({ type: 'boolean' });
    expect(deref(chained, schema('Loop'))).toEqual(schema('Loop'));
    expect(deref(chained, schema('Missing'))).toEqual(schema('Missing'));
  });

  it('merges allOf parts into one list of properties, required from any part', () => {
    expect(propertiesOf(doc, schema('NewThing'))).toEqual([
      { name: 'name', required: true, schema: expect.objectContaining({ type: 'string', maxLength: 100 }) as SchemaObject },
      { name: 'colour', required: true, schema: schema('Colour') },
    ]);
    expect(propertiesOf(doc, schema('Colour'))).toBeUndefined();
  });

  it('names types in words, components by name', () => {
    const thing = doc.components?.schemas?.Thing?.properties ?? {};
    expect(typeText(doc, schema('Thing'))).toBe('Thing');
    expect(typeText(doc, thing.colour)).toBe('Colour or null');
    expect(typeText(doc, thing.tags)).toBe('array of string or null');
    expect(typeText(doc, thing.id)).toBe('string (uuid)');
    expect(typeText(doc, { type: 'array', items: schema('Thing') })).toBe('array of Thing');
    expect(typeText(doc, { type: 'object', additionalProperties: { type: 'integer' } })).toBe('map of string to integer');
    expect(typeText(doc, schema('NewThing'))).toBe('NewThing');
    expect(typeText(doc, undefined)).toBe('any');
  });

  it('reads constraints through a $ref and a nullable oneOf', () => {
    expect(constraintsOf(doc, schema('Colour'))).toEqual([{ label: 'one of', value: 'red, green', code: true }]);
    expect(constraintsOf(doc, { oneOf: [{ type: 'null' }, schema('Colour')] })).toEqual([
      { label: 'one of', value: 'red, green', code: true },
    ]);
    expect(constraintsOf(doc, { type: 'integer', minimum: 1, maximum: 100, pattern: '^[0-9]+$' })).toEqual([
      { label: 'pattern', value: '^[0-9]+$', code: true },
      { label: 'minimum', value: '1' },
      { label: 'maximum', value: '100' },
    ]);
  });

  it('builds an example body from examples, enums and required properties', () => {
    expect(exampleOf(doc, schema('NewThing'))).toEqual({ name: 'Teapot', colour: 'red' });
    expect(exampleOf(doc, schema('Thing'))).toEqual({ id: '00000000-0000-0000-0000-000000000000', name: 'string' });
    expect(exampleOf(doc, { type: 'object', properties: { a: { type: 'boolean' }, b: { type: 'integer', minimum: 3 } } })).toEqual({
      a: false,
      b: 3,
    });
  });
});

describe('security in words', () => {
  const op = (security?: Record<string, string[]>[]) => (security ? { security } : {});

  it('names each way to call an operation', () => {
    expect(securityInWords(doc, op([{ session: [] }, { bearer: [] }, { api_token: ['claims:read'] }]))).toEqual([
      'Session cookie',
      'Bearer JWT',
      'API token with claims:read',
    ]);
    expect(securityInWords(doc, op([]))).toEqual(['None (public)']);
    expect(securityInWords(doc, op())).toEqual(['None (public)']);
    expect(securityInWords(doc, op([{}, { datacite_jwt: [] }]))).toEqual(['None (public)', 'DataCite JWT']);
    expect(securityInWords(doc, op([{ session: [], metrics_token: [] }]))).toEqual(['Session cookie and Metrics token']);
    expect(orList(['Session cookie', 'Bearer JWT', 'API token with claims:read'])).toBe(
      'Session cookie, Bearer JWT or API token with claims:read',
    );
  });

  it('sends the pasted token only where a bearer scheme is listed', () => {
    expect(acceptsBearerToken(doc, op([{ session: [] }, { bearer: [] }]))).toBe(true);
    expect(acceptsBearerToken(doc, op([{ api_token: ['events:write'] }]))).toBe(true);
    expect(acceptsBearerToken(doc, op([{ datacite_jwt: [] }]))).toBe(true);
    expect(acceptsBearerToken(doc, op([{ session: [] }]))).toBe(false);
    expect(acceptsBearerToken(doc, op([{ metrics_token: [] }]))).toBe(false);
    expect(acceptsBearerToken(doc, op([]))).toBe(false);
  });
});

describe('operations by tag', () => {
  it('groups in the order of the tags, methods in the usual order, with unique ids', () => {
    const groups = groupByTag(doc);
    expect(groups.map((g) => [g.name, g.operations.map((o) => `${o.method} ${o.path}`)])).toEqual([
      ['things', ['get /api/v1/things/{id}', 'post /api/v1/things']],
      ['status', ['get /api/v1/status']],
      ['sign-in', ['get /auth/{provider}/start']],
    ]);
    expect(groups[0]?.operations.map((o) => o.id)).toEqual(['op-get_thing', 'op-create_thing']);
    expect(isBrowserFlow('/auth/orcid/start')).toBe(true);
    expect(isBrowserFlow('/api/v1/auth/providers')).toBe(false);
    expect(isBrowserFlow('/authors')).toBe(false);
  });
});

describe('try it out: the request', () => {
  const parameters = groupByTag(doc)[0]?.operations[0]?.parameters ?? [];

  it('fills the path (encoded), leaves out empty query values and adds the token only when given', () => {
    const built = buildRequest({
      method: 'get',
      path: '/api/v1/things/{id}',
      parameters,
      values: { 'path:id': 'a/b c', 'query:page[size]': '10', 'query:colour': '' },
      bearerToken: 'eyJhbGciOiJSUzI1NiJ9.payload.signature',
    }) as BuiltRequest;
    expect(built.url).toBe('/api/v1/things/a%2Fb%20c?page%5Bsize%5D=10');
    expect(built.init.headers.get('Authorization')).toBe('Bearer eyJhbGciOiJSUzI1NiJ9.payload.signature');
    expect(built.init.credentials).toBe('same-origin');
    expect(describeRequest(built)).toBe('GET /api/v1/things/a%2Fb%20c?page%5Bsize%5D=10\nauthorization: Bearer eyJhbGciOi…');

    const anonymous = buildRequest({ method: 'get', path: '/api/v1/things/{id}', parameters, values: { 'path:id': '1' } });
    expect((anonymous as BuiltRequest).init.headers.has('Authorization')).toBe(false);
  });

  it('refuses an empty path value and a body that is not JSON', () => {
    expect(buildRequest({ method: 'get', path: '/api/v1/things/{id}', parameters, values: {} })).toEqual([
      { field: 'path:id', message: 'Enter id: it is part of the path.' },
    ]);
    const problems = buildRequest({ method: 'post', path: '/x', parameters: [], values: {}, body: '{nope', bodyType: 'application/json' });
    expect(problems).toEqual([{ field: 'body', message: expect.stringMatching(/^The body is not valid JSON: /) as string }]);
    const built = buildRequest({ method: 'post', path: '/x', parameters: [], values: {}, body: ' {"a":1} ', bodyType: 'application/json' });
    expect((built as BuiltRequest).init.body).toBe('{"a":1}');
    expect((built as BuiltRequest).init.headers.get('Content-Type')).toBe('application/json');
  });

  it('pretty-prints JSON answers only', () => {
    expect(formatBody('{"a":[1]}', 'application/problem+json')).toBe('{\n  "a": [\n    1\n  ]\n}');
    expect(formatBody('{"a":1}', 'text/plain')).toBe('{"a":1}');
    expect(formatBody('not json', 'application/json')).toBe('not json');
  });
});

describe('the served document (openapi/openapi.json)', () => {
  it('is an OpenAPI document whose $refs all resolve', () => {
    expect(served).toBeDefined();
    if (!served) return;
    expect(isOpenApiDocument(served)).toBe(true);
    const refs = new Set<string>();
    const walk = (node: unknown) => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (typeof node === 'object' && node !== null) {
        for (const [key, value] of Object.entries(node)) {
          if (key === '$ref' && typeof value === 'string') refs.add(value);
          else walk(value);
        }
      }
    };
    walk(served);
    expect(refs.size).toBeGreaterThan(10);
    for (const ref of refs) expect(resolvePointer(served, ref), ref).toBeDefined();
  });

  it('says for every operation who may call it, and sends tokens to the right ones', () => {
    if (!served) return;
    const operations = groupByTag(served).flatMap((g) => g.operations);
    const count = Object.values(served.paths).reduce((n, item) => n + Object.keys(item).filter((k) => k !== 'parameters').length, 0);
    expect(operations).toHaveLength(count);
    for (const op of operations) expect(securityInWords(served, op.operation).length, `${op.method} ${op.path}`).toBeGreaterThan(0);

    const find = (method: string, path: string) => {
      const found = operations.find((o) => o.method === method && o.path === path);
      if (!found) throw new Error(`${method} ${path} is not in the document`);
      return found.operation;
    };
    expect(acceptsBearerToken(served, find('get', '/api/v1/accounts/me'))).toBe(true);
    expect(acceptsBearerToken(served, find('get', '/api/v1/claims'))).toBe(true);
    expect(securityInWords(served, find('get', '/api/v1/claims'))).toContain('API token with claims:read');
    expect(acceptsBearerToken(served, find('delete', '/api/v1/accounts/me'))).toBe(false);
    expect(acceptsBearerToken(served, find('post', '/api/v1/tokens'))).toBe(false);
    expect(securityInWords(served, find('get', '/api/v1/status'))).toEqual(['None (public)']);
  });
});
