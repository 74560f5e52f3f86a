import { MutationCache, QueryCache, QueryClient, type QueryClientConfig } from '@tanstack/react-query';
import { ApiError, isSessionEnded } from './errors';
import { ME_KEY } from './query-keys';

/**
 * The app's TanStack Query client: retries network and 5xx errors once, never 4xx.
 *
 * A 401 from any request (the session expired or was revoked elsewhere) refetches the account, so
 * the header and the settings frame switch to "Your session has ended" everywhere at once, not only
 * in the box whose request failed. Not a 401 `reauthentication_required`: the session is still live,
 * and only the action that asked for a recent sign-in says so (`ErrorAlert`).
 */
export function createQueryClient(overrides: QueryClientConfig['defaultOptions'] = {}): QueryClient {
  const onError = (error: unknown, queryKey?: readonly unknown[]) => {
    const isAccountQuery = queryKey?.length === ME_KEY.length && queryKey[0] === ME_KEY[0];
    if (isSessionEnded(error) && !isAccountQuery) {
      void queryClient.invalidateQueries({ queryKey: ME_KEY, exact: true });
    }
  };
  const queryClient: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      onError: (error, query) => {
        onError(error, query.queryKey);
      },
    }),
    mutationCache: new MutationCache({
      onError: (error) => {
        onError(error);
      },
    }),
    defaultOptions: {
      ...overrides,
      queries: {
        staleTime: 30_000,
        retry: (failureCount, error) =>
          failureCount < 1 && !(error instanceof ApiError && error.status < 500),
        ...overrides.queries,
      },
    },
  });
  return queryClient;
}
