import { QueryClient } from '@tanstack/react-query';
import { ApiError } from './errors';

/** The app's TanStack Query client: retries network and 5xx errors once, never 4xx. */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        retry: (failureCount, error) =>
          failureCount < 1 && !(error instanceof ApiError && error.status < 500),
      },
    },
  });
}
