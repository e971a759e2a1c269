import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, describeError } from './ApiError';
import { fetchMe, getStream, listStreams, login, logout, register, updateStream } from './client';

type FetchMock = ReturnType<typeof vi.fn<typeof fetch>>;
let fetchMock: FetchMock;

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

function lastInit(): RequestInit {
  const call = fetchMock.mock.calls.at(-1);
  if (!call) throw new Error('fetch was not called');
  return call[1] ?? {};
}

beforeEach(() => {
  fetchMock = vi.fn<typeof fetch>();
  vi.stubGlobal('fetch', fetchMock);
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('api client', () => {
  it('sends JSON content type and body on POST (CSRF rule) with same-origin credentials', async () => {
    fetchMock.mockResolvedValue(
      jsonResponse(200, { user: { id: 1, username: 'ann', role: 'user' } }),
    );
    const user = await login({ username: 'ann', password: 'password1' });
    expect(user).toEqual({ id: 1, username: 'ann', role: 'user' });
    expect(fetchMock.mock.calls[0]?.[0]).toBe('/api/auth/login');
    const init = lastInit();
    expect(init.method).toBe('POST');
    expect(init.credentials).toBe('same-origin');
    expect((init.headers as Record<string, string>)['Content-Type']).toBe('application/json');
    expect(JSON.parse(init.body as string)).toEqual({ username: 'ann', password: 'password1' });
  });

  it('sends an empty JSON object when a state-changing call has no body', async () => {
    fetchMock.mockResolvedValue(new Response(null, { status: 204 }));
    await expect(logout()).resolves.toBeUndefined();
    const init = lastInit();
    expect(init.body).toBe('{}');
    expect((init.headers as Record<string, string>)['Content-Type']).toBe('application/json');
  });

  it('sends no body and no content type on GET', async () => {
    fetchMock.mockResolvedValue(jsonResponse(200, { streams: [] }));
    await expect(listStreams()).resolves.toEqual([]);
    const init = lastInit();
    expect(init.method).toBe('GET');
    expect(init.body).toBeUndefined();
    expect((init.headers as Record<string, string>)['Content-Type']).toBeUndefined();
  });

  it('maps the server error JSON to ApiError with status, code and message', async () => {
    fetchMock.mockResolvedValue(
      jsonResponse(409, { error: { code: 'username_taken', message: 'That name is taken.' } }),
    );
    const error = await register({ username: 'ann', password: 'password1' }).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 409,
      code: 'username_taken',
      message: 'That name is taken.',
    });
  });

  it('reads Retry-After on 429 and describes the wait', async () => {
    fetchMock.mockResolvedValue(
      jsonResponse(
        429,
        { error: { code: 'too_many_attempts', message: 'Too many attempts' } },
        { 'Retry-After': '42' },
      ),
    );
    const error = await login({ username: 'ann', password: 'wrongpass' }).catch((e) => e);
    expect(error).toMatchObject({ status: 429, code: 'too_many_attempts', retryAfterSeconds: 42 });
    expect(describeError(error)).toBe('Too many attempts — try again in 42 s.');
  });

  it('falls back to the status text when the error body is not JSON', async () => {
    fetchMock.mockResolvedValue(
      new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
    );
    const error = await listStreams().catch((e) => e);
    expect(error).toMatchObject({ status: 502, code: 'http_error', message: 'Bad Gateway' });
  });

  it('turns a network failure into ApiError network_error', async () => {
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'));
    const error = await getStream(3).catch((e) => e);
    expect(error).toMatchObject({ status: 0, code: 'network_error' });
    expect(describeError(error)).toMatch(/cannot reach the server/i);
  });

  it('returns null from fetchMe on 401 but throws other errors', async () => {
    fetchMock.mockResolvedValueOnce(
      jsonResponse(401, { error: { code: 'unauthenticated', message: 'Sign in' } }),
    );
    await expect(fetchMe()).resolves.toBeNull();
    fetchMock.mockResolvedValueOnce(
      jsonResponse(500, { error: { code: 'internal', message: 'x' } }),
    );
    await expect(fetchMe()).rejects.toMatchObject({ status: 500, code: 'internal' });
  });

  it('PATCHes a stream with only the changed fields', async () => {
    fetchMock.mockResolvedValue(jsonResponse(200, { id: 7, title: 'New' }));
    await updateStream(7, { title: 'New' });
    expect(fetchMock.mock.calls[0]?.[0]).toBe('/api/streams/7');
    expect(lastInit().method).toBe('PATCH');
    expect(JSON.parse(lastInit().body as string)).toEqual({ title: 'New' });
  });
});
