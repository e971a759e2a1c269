// Issue 9, item 5 — behind a reverse proxy: the client address of a request (for the
// per-address limits and the access log) comes from X-Forwarded-For / Forwarded only when the
// peer is in --trusted-proxies. Without the flag the forwarding headers are ignored, so a client
// cannot pick its own address to dodge a limit.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { request, startServer, uniqueName, waitFor } from '../api/lib/index.mjs';

const kLimit = 2;
const kPassword = 'correct horse battery';

function register(base, headers) {
  return request(base, 'POST', '/api/auth/register', {
    json: { username: uniqueName('px'), password: kPassword },
    headers,
  });
}

/** Registers until refused (at most limit + 1 tries); returns how many were created. */
async function createdUntilRefused(base, headers) {
  let created = 0;
  for (let i = 0; i <= kLimit; i += 1) {
    const res = await register(base, headers);
    if (res.status === 429) break;
    assert.equal(res.status, 201, res.text);
    created += 1;
  }
  return created;
}

describe('forwarding headers from an untrusted peer are ignored', () => {
  let server;
  before(async () => {
    server = await startServer({ args: ['--register-max-per-address', String(kLimit)] });
  });
  after(async () => {
    await server?.stop();
  });

  test('every X-Forwarded-For value counts against the peer address 127.0.0.1', async () => {
    const base = server.baseUrl;
    assert.equal(await createdUntilRefused(base, { 'X-Forwarded-For': '203.0.113.1' }), kLimit);
    const other = await register(base, { 'X-Forwarded-For': '203.0.113.2' });
    assert.equal(other.status, 429, 'a made-up X-Forwarded-For escaped the limit');
    const forwarded = await register(base, { Forwarded: 'for=203.0.113.3' });
    assert.equal(forwarded.status, 429, 'a made-up Forwarded escaped the limit');
  });
});

describe('--trusted-proxies 127.0.0.1/32', () => {
  let server;
  before(async () => {
    server = await startServer({
      args: ['--register-max-per-address', String(kLimit), '--trusted-proxies', '127.0.0.1/32'],
    });
  });
  after(async () => {
    await server?.stop();
  });

  test('the limit counts per forwarded client address', async () => {
    const base = server.baseUrl;
    assert.equal(await createdUntilRefused(base, { 'X-Forwarded-For': '203.0.113.1' }), kLimit);
    // Another client behind the same proxy has its own budget (RFC 7239 Forwarded too).
    assert.equal(await createdUntilRefused(base, { Forwarded: 'for="203.0.113.2:4711"' }), kLimit);
    // A client that prepends a fake address is still counted by the proxy's own entry.
    const spoofed = await register(base, { 'X-Forwarded-For': '198.51.100.9, 203.0.113.1' });
    assert.equal(spoofed.status, 429, 'a prepended address escaped the limit');
    // Without a header the proxy itself is the client.
    assert.equal(await createdUntilRefused(base, {}), kLimit);
  });

  test('the access log names the forwarded client', async () => {
    const base = server.baseUrl;
    const res = await request(base, 'GET', '/healthz', {
      headers: { 'X-Forwarded-For': '192.0.2.77' },
    });
    assert.equal(res.status, 200);
    const id = res.headers['x-request-id'];
    const line = await waitFor(
      () => {
        for (const file of fs.readdirSync(server.logDir)) {
          const text = fs.readFileSync(path.join(server.logDir, file), 'utf8');
          const found = text.split('\n').find((l) => l.includes(`"id":"${id}"`));
          if (found) return found;
        }
        return false;
      },
      { timeoutMs: 5_000, intervalMs: 50, what: `access log line of ${id}` },
    );
    assert.equal(JSON.parse(line).client, '192.0.2.77', line);
  });
});
