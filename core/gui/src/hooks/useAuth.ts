// Session state and the sign-in / register / sign-out actions.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { fetchMe, login, logout, register } from '../lib/api/client';
import { queryKeys } from '../lib/api/queryKeys';
import type { Credentials, User } from '../lib/api/types';
import { runSignOutHooks } from '../lib/signOutHooks';

export type AuthStatus = 'loading' | 'authenticated' | 'anonymous' | 'error';

export interface AuthState {
  user: User | null;
  status: AuthStatus;
  error: unknown;
  retry: () => void;
}

/** Returns the signed-in user (null when signed out) and whether that is known yet. */
export function useAuth(): AuthState {
  const query = useQuery({ queryKey: queryKeys.me, queryFn: fetchMe, staleTime: 60_000 });
  let status: AuthStatus = 'loading';
  if (query.data) status = 'authenticated';
  else if (query.data === null) status = 'anonymous';
  else if (query.isError) status = 'error';
  return {
    user: query.data ?? null,
    status,
    error: query.error,
    retry: () => void query.refetch(),
  };
}

/** Returns a mutation that signs in and stores the user in the session cache. */
export function useLogin() {
  const client = useQueryClient();
  return useMutation<User, unknown, Credentials>({
    mutationFn: login,
    onSuccess: (user) => client.setQueryData(queryKeys.me, user),
    meta: { handlesErrors: true },
  });
}

/** Returns a mutation that creates an account (which also signs in). */
export function useRegister() {
  const client = useQueryClient();
  return useMutation<User, unknown, Credentials>({
    mutationFn: register,
    onSuccess: (user) => client.setQueryData(queryKeys.me, user),
    meta: { handlesErrors: true },
  });
}

/**
 * Returns a mutation that runs the sign-out hooks (voice leaves first), signs out, and drops
 * every cached query of the old session.
 */
export function useLogout() {
  const client = useQueryClient();
  return useMutation<void, unknown, void>({
    mutationFn: async () => {
      await runSignOutHooks();
      await logout();
    },
    onSuccess: () => {
      client.removeQueries({ predicate: (q) => q.queryKey[0] !== 'auth' });
      client.setQueryData(queryKeys.me, null);
    },
  });
}
