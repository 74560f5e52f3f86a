import type { OpenApiDocument } from '../openapi';

const problem = {
  description: 'Not signed in.',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

/**
 * A small OpenAPI document for the API reference's tests: a bearer-or-session read with path and
 * query parameters, a session-only write whose body is `$ref` → `allOf` → `$ref`, a public read,
 * a browser flow, and text with markup in it (which must show as text).
 */
export function specFixture(): OpenApiDocument {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Test API',
      version: '1.2.3',
      description:
        'Errors are problem details\n(`application/problem+json`).\n\nMarkup stays text: <img src=x onerror="alert(1)"> <script>alert(2)</script>',
    },
    tags: [
      { name: 'things', description: 'The things you own.' },
      { name: 'status', description: 'Health of the service.' },
      { name: 'sign-in', description: 'Browser sign-in.' },
    ],
    paths: {
      '/api/v1/things/{id}': {
        get: {
          tags: ['things'],
          summary: 'One thing',
          description: 'The thing, with its `colour`.',
          operationId: 'get_thing',
          parameters: [
            { name: 'id', in: 'path', required: true, description: 'Its id.', schema: { type: 'string', format: 'uuid' } },
            {
              name: 'page[size]',
              in: 'query',
              required: false,
              description: 'Page size, 1–100.',
              schema: { type: 'integer', format: 'int64', minimum: 1, maximum: 100 },
            },
            { name: 'colour', in: 'query', schema: { $ref: '#/components/schemas/Colour' } },
          ],
          responses: {
            '200': { description: 'The thing.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
            '401': problem,
          },
          security: [{ session: [] }, { bearer: [] }, { api_token: ['things:read'] }],
        },
      },
      '/api/v1/things': {
        post: {
          tags: ['things'],
          summary: 'Add a thing',
          operationId: 'create_thing',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/NewThing' } } },
          },
          responses: {
            '201': { description: 'Added.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
            '401': problem,
          },
          security: [{ session: [] }],
        },
      },
      '/api/v1/status': {
        get: {
          tags: ['status'],
          summary: 'Service status',
          operationId: 'status',
          responses: { '200': { description: 'Up.', content: { 'application/json': { schema: { type: 'object' } } } } },
          security: [],
        },
      },
      '/auth/{provider}/start': {
        get: {
          tags: ['sign-in'],
          summary: 'Start signing in',
          operationId: 'start',
          parameters: [{ name: 'provider', in: 'path', required: true, schema: { $ref: '#/components/schemas/Provider' } }],
          responses: { '303': { description: 'To the provider.' } },
          security: [],
        },
      },
    },
    components: {
      schemas: {
        Thing: {
          type: 'object',
          required: ['id', 'name'],
          properties: {
            id: { type: 'string', format: 'uuid' },
            name: { type: 'string' },
            colour: { oneOf: [{ type: 'null' }, { $ref: '#/components/schemas/Colour', description: 'Its colour.' }] },
            tags: { type: ['array', 'null'], items: { type: 'string' } },
          },
        },
        NewThing: {
          allOf: [
            { $ref: '#/components/schemas/ThingName' },
            { type: 'object', required: ['colour'], properties: { colour: { $ref: '#/components/schemas/Colour' } } },
          ],
        },
        ThingName: {
          type: 'object',
          required: ['name'],
          properties: {
            name: { type: 'string', maxLength: 100, example: 'Teapot', description: 'What you call it. <b>Not bold</b>' },
          },
        },
        Colour: { type: 'string', description: 'A colour.', enum: ['red', 'green'] },
        Provider: { type: 'string', enum: ['orcid', 'github'] },
        Problem: {
          type: 'object',
          required: ['code'],
          properties: { code: { type: 'string' }, detail: { type: 'string' } },
        },
      },
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'profiles_session' },
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        api_token: { type: 'http', scheme: 'bearer' },
      },
    },
  };
}
