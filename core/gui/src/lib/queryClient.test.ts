import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from './api/ApiError';
import { queryKeys } from './api/queryKeys';
import { createQueryClient } from './queryClient';
import { ToastStore } from './toastStore';

beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
afterEach(() => vi.useRealTimers());

function failingMutation(client: ReturnType<typeof createQueryClient>, error: unknown, meta = {}) {
  return client
    .getMutationCache()
    .build(client, {
      mutationFn: () => Promise.reject(error),
      meta,
    })
    .execute(undefined)
    .catch(() => {});
}

describe('createQueryClient', () => {
  it('toasts a failed mutation that has no inline error display', async () => {
    const store = new ToastStore();
    const client = createQueryClient(store);
    await failingMutation(client, new ApiError(500, 'internal', 'Server broke.'));
    expect(store.snapshot().map((t) => t.message)).toEqual(['Server broke.']);
  });

  it('does not toast when the mutation shows its own error', async () => {
    const store = new ToastStore();
    const client = createQueryClient(store);
    await failingMutation(client, new ApiError(401, 'invalid_credentials', 'Wrong.'), {
      handlesErrors: true,
    });
    expect(store.snapshot()).toHaveLength(0);
  });

  it('forgets the user when any query gets 401', async () => {
    const client = createQueryClient(new ToastStore());
    client.setQueryData(queryKeys.me, { id: 1, username: 'ann', role: 'user' });
    await client
      .fetchQuery({
        queryKey: queryKeys.streams,
        queryFn: () => Promise.reject(new ApiError(401, 'unauthenticated', 'Sign in.')),
        retry: false,
      })
      .catch(() => {});
    expect(client.getQueryData(queryKeys.me)).toBeNull();
  });

  it('retries network and 5xx failures but not 4xx', () => {
    const client = createQueryClient(new ToastStore());
    const retry = client.getDefaultOptions().queries?.retry as (n: number, e: unknown) => boolean;
    expect(retry(0, new ApiError(0, 'network_error', 'x'))).toBe(true);
    expect(retry(0, new ApiError(503, 'unavailable', 'x'))).toBe(true);
    expect(retry(0, new ApiError(404, 'not_found', 'x'))).toBe(false);
    expect(retry(2, new ApiError(503, 'unavailable', 'x'))).toBe(false);
  });
});
