// Where to send a user after signing in, without allowing an open redirect.

/** Returns `next` when it is a same-origin path ("/streams/1"), otherwise "/". */
export function safeRedirectPath(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  if (next.startsWith('/login') || next.startsWith('/register')) return '/';
  return next;
}
