// The app's React Query client: retry policy, session expiry and error toasts.
import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError, describeError } from './api/ApiError';
import { queryKeys } from './api/queryKeys';
import { toasts, type ToastStore } from './toastStore';

/** Retries at most this many times, and only for failures that may pass (network, 5xx). */
export const kMaxQueryRetries = 2;

function isRetryable(error: unknown): boolean {
  return !(error instanceof ApiError) || error.status === 0 || error.status >= 500;
}

/**
 * Returns a QueryClient where a 401 from any request marks the session as gone (so guarded
 * pages redirect to /login) and a failed mutation without its own error display raises a toast.
 */
export function createQueryClient(store: ToastStore = toasts): QueryClient {
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      onError: (error, query) => {
        if (error instanceof ApiError && error.isUnauthenticated && query.queryKey[0] !== 'auth') {
          client.setQueryData(queryKeys.me, null);
        }
      },
    }),
    mutationCache: new MutationCache({
      onError: (error, _variables, _context, mutation) => {
        if (error instanceof ApiError && error.isUnauthenticated) {
          client.setQueryData(queryKeys.me, null);
        }
        if (!mutation.meta?.handlesErrors) store.push('error', describeError(error));
      },
    }),
    defaultOptions: {
      queries: {
        retry: (count, error) => isRetryable(error) && count < kMaxQueryRetries,
        refetchOnWindowFocus: true,
      },
      mutations: { retry: false },
    },
  });
  return client;
}
