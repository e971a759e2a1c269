// An error reply from chorusd ({"error":{"code","message"}}) or a failure to reach it.

/** Code used when the request never got an HTTP reply (offline, DNS, aborted). */
export const kNetworkErrorCode = 'network_error';
/** Code used when the reply was an error but not in the server's JSON error shape. */
export const kHttpErrorCode = 'http_error';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** Seconds from a Retry-After header (429 too_many_attempts), when the server sent one. */
  readonly retryAfterSeconds: number | null;

  constructor(
    status: number,
    code: string,
    message: string,
    retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** True when the server says the caller has no valid session. */
  get isUnauthenticated(): boolean {
    return this.status === 401;
  }
}

/** Returns a sentence to show a user for any thrown value, with the wait for rate limits. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 429 && error.retryAfterSeconds !== null) {
      return `${error.message || 'Too many attempts'} — try again in ${error.retryAfterSeconds} s.`;
    }
    if (error.code === kNetworkErrorCode) return 'Cannot reach the server. Check your connection.';
    return error.message || `Request failed (${error.status}).`;
  }
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong.';
}
