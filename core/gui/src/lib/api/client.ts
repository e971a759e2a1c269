// Typed functions for the chorusd REST API. No React here: hooks wrap these.
import { ApiError, kHttpErrorCode, kNetworkErrorCode } from './ApiError';
import type { Credentials, NewStream, Stream, StreamPatch, User } from './types';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Parses a Retry-After header given in seconds (RFC 9110 §10.2.3); dates are not used by chorusd. */
function parseRetryAfter(value: string | null): number | null {
  if (value === null || !/^\d+$/.test(value.trim())) return null;
  return Number(value.trim());
}

/** Builds an ApiError from a non-2xx response, reading the server's JSON error shape if present. */
async function errorFromResponse(response: Response): Promise<ApiError> {
  const retryAfter = parseRetryAfter(response.headers.get('Retry-After'));
  let code = kHttpErrorCode;
  let message = response.statusText || `HTTP ${response.status}`;
  try {
    const body: unknown = await response.json();
    const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    if (error && typeof error.code === 'string') code = error.code;
    if (error && typeof error.message === 'string') message = error.message;
  } catch {
    // Not JSON (a proxy page, an empty body): keep the status text.
  }
  return new ApiError(response.status, code, message, retryAfter);
}

/**
 * Sends one request and returns the decoded JSON body (undefined for 204).
 * State-changing methods always carry `Content-Type: application/json` and a JSON body, which
 * the server's CSRF rule requires. Throws ApiError for every failure, network errors included.
 */
export async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body ?? {});
  }
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new ApiError(0, kNetworkErrorCode, detail || 'Network error');
  }
  if (!response.ok) throw await errorFromResponse(response);
  if (response.status === 204) return undefined as T;
  try {
    return (await response.json()) as T;
  } catch {
    throw new ApiError(response.status, 'bad_response', 'The server sent an unreadable reply.');
  }
}

/** POST /api/auth/register: creates an account and signs in; returns the new user. */
export async function register(credentials: Credentials): Promise<User> {
  return (await request<{ user: User }>('POST', '/api/auth/register', credentials)).user;
}

/** POST /api/auth/login: signs in (sets the session cookie); returns the user. */
export async function login(credentials: Credentials): Promise<User> {
  return (await request<{ user: User }>('POST', '/api/auth/login', credentials)).user;
}

/** POST /api/auth/logout: ends the session. */
export async function logout(): Promise<void> {
  await request<void>('POST', '/api/auth/logout');
}

/** GET /api/auth/me: returns the signed-in user, or null when there is no session (401). */
export async function fetchMe(): Promise<User | null> {
  try {
    return (await request<{ user: User }>('GET', '/api/auth/me')).user;
  } catch (error) {
    if (error instanceof ApiError && error.isUnauthenticated) return null;
    throw error;
  }
}

/** GET /api/streams: returns every stream. */
export async function listStreams(): Promise<Stream[]> {
  return (await request<{ streams: Stream[] }>('GET', '/api/streams')).streams;
}

/** GET /api/streams/{id}: returns one stream (ApiError 404 not_found if absent). */
export async function getStream(id: number): Promise<Stream> {
  return request<Stream>('GET', `/api/streams/${encodeURIComponent(String(id))}`);
}

/** POST /api/streams (admin): creates a stream and returns it. */
export async function createStream(stream: NewStream): Promise<Stream> {
  return request<Stream>('POST', '/api/streams', stream);
}

/** PATCH /api/streams/{id} (admin or host): changes the given fields; returns the stream. */
export async function updateStream(id: number, patch: StreamPatch): Promise<Stream> {
  return request<Stream>('PATCH', `/api/streams/${encodeURIComponent(String(id))}`, patch);
}
