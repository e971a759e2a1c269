// Work that must happen before the session ends (for example leaving a voice room while the
// session cookie is still valid). Sign-out awaits every registered hook, each for a bounded time.

export type SignOutHook = () => Promise<void> | void;

/** How long sign-out waits for one hook before going on without it. */
export const kSignOutHookTimeoutMs = 2000;

const hooks = new Set<SignOutHook>();

/** Registers a hook to run before sign-out; returns the function that unregisters it. */
export function onBeforeSignOut(hook: SignOutHook): () => void {
  hooks.add(hook);
  return () => hooks.delete(hook);
}

/** Runs every hook (failures and slow hooks do not block sign-out). */
export async function runSignOutHooks(timeoutMs: number = kSignOutHookTimeoutMs): Promise<void> {
  await Promise.all(
    [...hooks].map((hook) =>
      Promise.race([
        Promise.resolve()
          .then(hook)
          .catch((error: unknown) => console.warn('sign-out hook failed', error)),
        new Promise<void>((resolve) => setTimeout(resolve, timeoutMs)),
      ]),
    ),
  );
}
