import { screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { App } from './App';
import { jsonResponse, renderWithProviders, requestUrl } from './test/render';

// Tests stub the network at the fetch level: the real openapi-fetch client, query hooks and
// components all run.
// Returns the paths requested, in order.
function stubFetch(respond: (url: string) => Response | Promise<Response>): string[] {
  const paths: string[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn((input: RequestInfo | URL) => {
      const url = requestUrl(input);
      paths.push(new URL(url).pathname);
      return Promise.resolve(respond(url));
    }),
  );
  return paths;
}

const status = { version: '1.4.2', database: 'ok', queue_depth: 3 };

describe('home page', () => {
  it('shows the API version and database state from GET /api/v1/status', async () => {
    const requested = stubFetch(() => jsonResponse(status));

    renderWithProviders(<App />);

    expect(screen.getByRole('heading', { level: 1, name: 'Your researcher account' })).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('Loading service status');

    const card = screen.getByRole('region', { name: 'Service status' });
    expect(await within(card).findByText('1.4.2')).toBeInTheDocument();
    expect(within(card).getByText('Available')).toBeInTheDocument();
    expect(within(card).getByText('3')).toBeInTheDocument();
    expect(requested).toEqual(['/api/v1/status']);
  });

  it('shows when the database is unavailable, without a queue depth', async () => {
    // The API leaves out queue_depth when it cannot reach the database.
    stubFetch(() => jsonResponse({ version: '1.4.2', database: 'unavailable' }));

    renderWithProviders(<App />);

    const card = screen.getByRole('region', { name: 'Service status' });
    expect(await within(card).findByText('Unavailable')).toBeInTheDocument();
    expect(within(card).getByText('Not available')).toBeInTheDocument();
  });

  it('shows an error with the problem detail when the API fails, and recovers on retry', async () => {
    let healthy = false;
    stubFetch(() =>
      healthy
        ? jsonResponse(status)
        : jsonResponse(
            { type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'The database is down.' },
            { status: 503, headers: { 'Content-Type': 'application/problem+json' } },
          ),
    );

    const { user } = renderWithProviders(<App />);

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not load the service status. The database is down.');
    expect(screen.queryByText('1.4.2')).not.toBeInTheDocument();

    healthy = true;
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));

    expect(await screen.findByText('1.4.2')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('shows an error when the server cannot be reached', async () => {
    vi.stubGlobal('fetch', vi.fn(() => Promise.reject(new TypeError('fetch failed'))));

    renderWithProviders(<App />);

    expect(await screen.findByRole('alert')).toHaveTextContent('The server could not be reached.');
  });
});

describe('header', () => {
  it('links to the sign-in page', async () => {
    stubFetch(() => jsonResponse(status));
    const { user } = renderWithProviders(<App />);

    const banner = screen.getByRole('banner');
    expect(within(banner).getByRole('link', { name: 'Profiles' })).toHaveAttribute('href', '/');
    const signIn = within(banner).getByRole('link', { name: 'Sign in' });
    expect(signIn).toHaveAttribute('href', '/sign-in');

    await user.click(signIn);

    expect(screen.getByRole('heading', { level: 1, name: 'Sign in' })).toBeInTheDocument();
  });

  it('shows a not-found page for unknown addresses', () => {
    renderWithProviders(<App />, { route: '/no-such-page' });

    expect(screen.getByRole('heading', { level: 1, name: 'Page not found' })).toBeInTheDocument();
  });
});
