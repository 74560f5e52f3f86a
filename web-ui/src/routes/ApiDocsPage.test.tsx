import { screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { App } from '../App';
import { specFixture } from '../features/api-docs/test/spec-fixture';
import { expectNoAxeViolations } from '../test/axe';
import { providersResponse } from '../test/fixtures';
import { jsonResponse, renderWithProviders, requestUrl } from '../test/render';

const JWT = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwMDAwIn0.c2lnbmF0dXJl';

interface Sent {
  method: string;
  url: URL;
  headers: Headers;
  credentials: RequestCredentials | undefined;
  body: string | undefined;
}

/**
 * `fetch` for the page: the OpenAPI document (the fixture, or `document`), the header's account
 * (signed out) and providers; anything else is what "Try it out" sent, answered by `answer`.
 */
function stubServer({
  document = () => jsonResponse(specFixture()),
  answer = () => jsonResponse({ id: '42', name: 'Teapot' }, { status: 200, statusText: 'OK' }),
}: { document?: () => Response; answer?: (sent: Sent) => Response } = {}) {
  const sent: Sent[] = [];
  const fetchMock = vi.fn((input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(requestUrl(input), globalThis.location.origin);
    const method = init.method ?? 'GET';
    if (url.pathname === '/api/openapi.json') return Promise.resolve(document());
    if (url.pathname === '/api/v1/accounts/me' && method === 'GET' && !new Headers(init.headers).has('Authorization')) {
      return Promise.resolve(
        jsonResponse({ code: 'unauthenticated', detail: 'Sign in first.' }, { status: 401, headers: { 'Content-Type': 'application/problem+json' } }),
      );
    }
    if (url.pathname === '/api/v1/auth/providers') return Promise.resolve(jsonResponse(providersResponse()));
    const entry: Sent = {
      method,
      url,
      headers: new Headers(init.headers),
      credentials: init.credentials,
      body: typeof init.body === 'string' ? init.body : undefined,
    };
    sent.push(entry);
    return Promise.resolve(answer(entry));
  });
  vi.stubGlobal('fetch', fetchMock);
  return { sent };
}

async function openDocs() {
  const view = renderWithProviders(<App />, { route: '/api/docs' });
  expect(await screen.findByRole('heading', { level: 1, name: 'Test API' })).toBeInTheDocument();
  return view;
}

/** Opens an operation by its disclosure button; returns its panel. */
async function openOperation(user: ReturnType<typeof renderWithProviders>['user'], name: RegExp) {
  const button = screen.getByRole('button', { name });
  expect(button).toHaveAttribute('aria-expanded', 'false');
  await user.click(button);
  expect(button).toHaveAttribute('aria-expanded', 'true');
  const panel = document.getElementById(button.getAttribute('aria-controls') ?? '');
  if (!panel) throw new Error('the button controls no panel');
  expect(panel).toBeVisible();
  return panel;
}

async function authorize(user: ReturnType<typeof renderWithProviders>['user'], token: string) {
  await user.type(screen.getByLabelText('Bearer token (JWT or API token)'), token);
  await user.click(screen.getByRole('button', { name: 'Authorize' }));
}

describe('/api/docs, the API reference', () => {
  it('shows the document’s title, description, tags and operations, its markup as text only', async () => {
    stubServer();
    await openDocs();

    expect(screen.getByRole('main')).toBeInTheDocument();
    expect(screen.getAllByRole('heading', { level: 1 })).toHaveLength(1);
    expect(screen.getByText('Version 1.2.3 · OpenAPI 3.1.0 ·', { exact: false })).toBeInTheDocument();
    // Lines of a paragraph are joined; `code` spans become <code>.
    const paragraph = screen.getByText(
      (_, element) => element?.tagName === 'P' && element.textContent === 'Errors are problem details (application/problem+json).',
    );
    expect(paragraph.querySelector('code')).toHaveTextContent(/^application\/problem\+json$/);
    // Markup in the document is shown as the characters it is, never made into elements.
    expect(screen.getByText('Markup stays text: <img src=x onerror="alert(1)"> <script>alert(2)</script>')).toBeInTheDocument();
    const main = screen.getByRole('main');
    expect(main.querySelector('img, script, b')).toBeNull();

    const things = screen.getByRole('region', { name: 'things' });
    expect(within(things).getByText('The things you own.')).toBeInTheDocument();
    expect(within(things).getByRole('button', { name: 'GET /api/v1/things/{id} One thing' })).toBeInTheDocument();
    expect(within(things).getByRole('button', { name: 'POST /api/v1/things Add a thing' })).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'status' })).toHaveTextContent('Health of the service.');
    expect(screen.getByRole('navigation', { name: 'API sections' })).toHaveTextContent('things (2)status (1)sign-in (1)Schemas (6)');
    await expectNoAxeViolations();
  });

  it('shows an operation’s credentials, parameters, $ref-resolved body and responses', async () => {
    stubServer();
    const { user } = await openDocs();

    const read = await openOperation(user, /^GET \/api\/v1\/things\/\{id\}/);
    expect(read).toHaveTextContent('Credentials: Session cookie, Bearer JWT or API token with things:read');
    expect(read).toHaveTextContent('The thing, with its colour.');
    const parameters = within(read).getAllByRole('list')[0];
    if (!parameters) throw new Error('no parameter list');
    expect(parameters).toHaveTextContent('id in path string (uuid) required');
    expect(parameters).toHaveTextContent('page[size] in query integer (int64) optional');
    expect(parameters).toHaveTextContent('minimum: 1');
    expect(parameters).toHaveTextContent('maximum: 100');
    expect(parameters).toHaveTextContent('Page size, 1–100.');
    // A parameter whose schema is a $ref: its name, and its values read through the reference.
    expect(parameters).toHaveTextContent('colour in query Colour optional');
    expect(parameters).toHaveTextContent('one of: red, green');
    expect(read).toHaveTextContent('200The thing.application/json: Thing');
    expect(read).toHaveTextContent('401Not signed in.application/problem+json: Problem');
    expect(within(read).getAllByRole('link', { name: 'Thing' })[0]).toHaveAttribute('href', '#schema-Thing');

    const write = await openOperation(user, /^POST \/api\/v1\/things/);
    expect(write).toHaveTextContent('Credentials: Session cookie');
    // NewThing is allOf [ThingName, { colour }]: both parts' properties, each with its type and whether required.
    expect(write).toHaveTextContent('application/json: NewThing');
    expect(write).toHaveTextContent('name string required');
    expect(write).toHaveTextContent('max length: 100');
    expect(write).toHaveTextContent('What you call it. <b>Not bold</b>');
    expect(write).toHaveTextContent('colour Colour required');
    expect(write.querySelector('b')).toBeNull();
    await expectNoAxeViolations();
  });

  it('sends the pasted token as Authorization: Bearer to an operation that takes one, and shows the answer', async () => {
    const { sent } = stubServer();
    const { user } = await openDocs();

    expect(screen.getByText('No token is set.')).toBeInTheDocument();
    await authorize(user, JWT);
    expect(screen.getByText(/^A JWT is set \(eyJhbGciOi…, \d+ characters\)/)).toBeInTheDocument();
    // Memory only: nothing in the browser's storage, and the field is emptied.
    expect(localStorage.length).toBe(0);
    expect(sessionStorage.length).toBe(0);
    expect(screen.getByLabelText('Bearer token (JWT or API token)')).toHaveValue('');

    const panel = await openOperation(user, /^GET \/api\/v1\/things\/\{id\}/);
    expect(panel).toHaveTextContent('Sent with your token (Authorization: Bearer …) from “Authorize”.');
    await user.type(within(panel).getByLabelText(/^id/), 'a b');
    await user.type(within(panel).getByLabelText(/^page\[size\]/), '5');
    await user.selectOptions(within(panel).getByLabelText(/^colour/), 'green');
    await user.click(within(panel).getByRole('button', { name: 'Send request' }));

    expect(await within(panel).findByText('Response: 200 OK')).toBeInTheDocument();
    expect(sent).toHaveLength(1);
    const [request] = sent;
    expect(request?.method).toBe('GET');
    expect(`${request?.url.pathname}${request?.url.search}`).toBe('/api/v1/things/a%20b?page%5Bsize%5D=5&colour=green');
    expect(request?.headers.get('Authorization')).toBe(`Bearer ${JWT}`);
    expect(request?.credentials).toBe('same-origin');

    expect(within(panel).getByText('Content type').nextElementSibling).toHaveTextContent('application/json');
    expect(within(panel).getByText(/"name": "Teapot"/)).toBeInTheDocument();
    // The request as sent, the token shortened.
    expect(within(panel).getByText(/^GET \/api\/v1\/things\/a%20b/)).toHaveTextContent('authorization: Bearer eyJhbGciOi…');
    expect(panel).not.toHaveTextContent(JWT);
    await expectNoAxeViolations();

    await user.click(screen.getByRole('button', { name: 'Forget token' }));
    expect(screen.getByText('No token is set.')).toBeInTheDocument();
    await user.click(within(panel).getByRole('button', { name: 'Send request' }));
    await vi.waitFor(() => {
      expect(sent).toHaveLength(2);
    });
    expect(sent[1]?.headers.has('Authorization')).toBe(false);
  });

  it('never sends the token to a public operation or one that takes the session cookie only', async () => {
    const { sent } = stubServer({ answer: () => jsonResponse({ ok: true }, { status: 201, statusText: 'Created' }) });
    const { user } = await openDocs();
    await authorize(user, 'prf_abcdefgh_0123456789abcdef');
    expect(screen.getByText(/^An? API token is set/)).toBeInTheDocument();

    const status = await openOperation(user, /^GET \/api\/v1\/status/);
    expect(status).toHaveTextContent('Credentials: None (public)');
    expect(status).toHaveTextContent('No credentials needed.');
    await user.click(within(status).getByRole('button', { name: 'Send request' }));
    expect(await within(status).findByText('Response: 201 Created')).toBeInTheDocument();
    expect(sent[0]?.url.pathname).toBe('/api/v1/status');
    expect(sent[0]?.headers.has('Authorization')).toBe(false);

    const write = await openOperation(user, /^POST \/api\/v1\/things/);
    expect(write).toHaveTextContent('Your token is not sent: this operation takes the session only.');
    // The body starts from an example built from the resolved schema.
    const body = within(write).getByLabelText(/^Request body/);
    expect(JSON.parse((body as HTMLTextAreaElement).value)).toEqual({ name: 'Teapot', colour: 'red' });
    await user.clear(body);
    await user.type(body, '{{"name": "Kettle"}');
    await user.click(within(write).getByRole('button', { name: 'Send request' }));
    expect(await within(write).findByText('Response: 201 Created')).toBeInTheDocument();
    expect(sent[1]).toMatchObject({ method: 'POST', credentials: 'same-origin', body: '{"name": "Kettle"}' });
    expect(sent[1]?.url.pathname).toBe('/api/v1/things');
    expect(sent[1]?.headers.get('Content-Type')).toBe('application/json');
    expect(sent[1]?.headers.has('Authorization')).toBe(false);
  });

  it('asks for a path value and for valid JSON before sending anything', async () => {
    const { sent } = stubServer();
    const { user } = await openDocs();

    const read = await openOperation(user, /^GET \/api\/v1\/things\/\{id\}/);
    await user.click(within(read).getByRole('button', { name: 'Send request' }));
    const id = within(read).getByLabelText(/^id/);
    expect(id).toHaveAttribute('aria-invalid', 'true');
    expect(id).toHaveAccessibleDescription(/Enter id: it is part of the path\.$/);
    expect(id).toHaveFocus();

    const write = await openOperation(user, /^POST \/api\/v1\/things/);
    const body = within(write).getByLabelText(/^Request body/);
    await user.clear(body);
    await user.type(body, '{{"name": ');
    await user.click(within(write).getByRole('button', { name: 'Send request' }));
    expect(body).toHaveAccessibleDescription(/^The body is not valid JSON: /);
    expect(sent).toHaveLength(0);
  });

  it('links browser flows instead of trying them', async () => {
    stubServer();
    const { user } = await openDocs();

    const flow = await openOperation(user, /^GET \/auth\/\{provider\}\/start/);
    expect(flow).toHaveTextContent('This is a browser flow');
    expect(within(flow).getByRole('link', { name: '/auth/orcid/start' })).toHaveAttribute('href', '/auth/orcid/start');
    expect(within(flow).getByRole('link', { name: '/auth/github/start' })).toHaveAttribute('href', '/auth/github/start');
    expect(within(flow).queryByRole('button', { name: 'Send request' })).not.toBeInTheDocument();
  });

  it('says when the document cannot be loaded, and tries again', async () => {
    let fail = true;
    stubServer({
      document: () => (fail ? new Response('down', { status: 503, statusText: 'Service Unavailable' }) : jsonResponse(specFixture())),
    });
    const { user } = renderWithProviders(<App />, { route: '/api/docs' });
    expect(screen.getByRole('heading', { level: 1, name: 'API reference' })).toBeInTheDocument();
    expect(await screen.findByRole('alert', {}, { timeout: 3000 })).toHaveTextContent(
      'Could not load the API description. The server answered 503 Service Unavailable.',
    );
    await expectNoAxeViolations();
    fail = false;
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Test API' })).toBeInTheDocument();
  });
});
