// A fetch replacement for component tests: routes "METHOD /path" to canned JSON replies and
// records every request, so tests can check what the GUI sent.
import { vi } from 'vitest';

export interface FakeReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Route = FakeReply | ((body: unknown) => FakeReply);

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
  headers: Record<string, string>;
}

/** Installs a fetch stub answering from `routes`; unknown routes answer 404 not_found. */
export function installFakeFetch(routes: Record<string, Route>) {
  const requests: RecordedRequest[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const method = (init.method ?? 'GET').toUpperCase();
    const path = new URL(String(input), 'http://localhost').pathname;
    const body = typeof init.body === 'string' ? JSON.parse(init.body) : undefined;
    requests.push({ method, path, body, headers: (init.headers ?? {}) as Record<string, string> });
    const route = routes[`${method} ${path}`];
    const reply: FakeReply = !route
      ? { status: 404, body: { error: { code: 'not_found', message: `No route ${path}` } } }
      : typeof route === 'function'
        ? route(body)
        : route;
    return new Response(reply.status === 204 ? null : JSON.stringify(reply.body ?? {}), {
      status: reply.status,
      headers: { 'Content-Type': 'application/json', ...reply.headers },
    });
  });
  vi.stubGlobal('fetch', fetchMock);
  return { requests, routes };
}

export const kAnn = { id: 2, username: 'ann', role: 'user' as const };

export const kDemoStream = {
  id: 1,
  title: 'Demo stream',
  description: 'A test pattern with a tone.',
  hls_url: '/media/demo/index.m3u8',
  host_id: 1,
  voice_enabled: true,
  voice: { enabled: true, participants: 3 },
  created_at: '2026-11-25T15:00:00Z',
  updated_at: '2026-11-25T15:00:00Z',
};

export const kUnauthenticated: FakeReply = {
  status: 401,
  body: { error: { code: 'unauthenticated', message: 'Sign in first.' } },
};
