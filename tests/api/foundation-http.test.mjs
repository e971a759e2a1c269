// Issue 2, the HTTP layer and operations: /healthz, /readyz, /metrics, 404/405/413, keep-alive,
// SPA fallback and caching, /media/ files, and graceful shutdown with a request in flight.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertError, assertUnchanged, snapshot } from './lib/checks.mjs';
import {
  guiDist,
  kAdminPassword,
  kAdminUser,
  newUser,
  request,
  startServer,
  waitFor,
  waitForExit,
  withTimeout,
} from './lib/index.mjs';

const guiBuilt = fs.existsSync(path.join(guiDist, 'index.html'));

describe('http layer', () => {
  let server;
  let base;
  before(async () => {
    server = await startServer();
    base = server.baseUrl;
  });
  after(async () => {
    await server?.stop();
  });

  test('/healthz and /readyz answer 200 with the database reachable', async () => {
    const health = await request(base, 'GET', '/healthz');
    assert.equal(health.status, 200);
    assert.deepEqual(health.body, { status: 'ok' });
    const ready = await request(base, 'GET', '/readyz');
    assert.equal(ready.status, 200, ready.text);
    assert.equal(ready.body.status, 'ready');
    assert.equal(ready.body.database, 'ok');
  });

  test('/metrics is Prometheus text with the request counter and latency histogram', async () => {
    await request(base, 'GET', '/healthz');
    await request(base, 'GET', '/api/no-such-thing');
    const res = await request(base, 'GET', '/metrics');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'], /^text\/plain/);
    const text = res.text;
    assert.match(text, /^# TYPE chorus_http_requests_total counter$/m);
    assert.match(
      text,
      /^chorus_http_requests_total\{[^}]*route="\/healthz"[^}]*status="200"[^}]*\} [1-9]\d*$/m,
    );
    assert.match(text, /^chorus_http_requests_total\{[^}]*status="404"[^}]*\} [1-9]\d*$/m);
    assert.match(text, /^# TYPE chorus_http_request_duration_seconds histogram$/m);
    assert.match(
      text,
      /^chorus_http_request_duration_seconds_bucket\{[^}]*route="\/healthz"[^}]*le="\+Inf"[^}]*\} [1-9]\d*$/m,
    );
    assert.match(
      text,
      /^chorus_http_request_duration_seconds_count\{[^}]*route="\/healthz"[^}]*\} [1-9]\d*$/m,
    );
    assert.match(
      text,
      /^chorus_http_request_duration_seconds_sum\{[^}]*route="\/healthz"[^}]*\} [0-9.e+-]+$/m,
    );
    // The counter grows with traffic.
    const count = (t) =>
      Number(
        /^chorus_http_requests_total\{[^}]*route="\/healthz"[^}]*status="200"[^}]*\} (\d+)$/m.exec(
          t,
        )[1],
      );
    await request(base, 'GET', '/healthz');
    const again = await request(base, 'GET', '/metrics');
    assert.ok(count(again.text) > count(text));
  });

  test('an unknown API route is 404 in the JSON error shape with the request id', async () => {
    for (const p of ['/api/nope', '/api/auth', '/api/streams/1/nope', '/api']) {
      const res = await request(base, 'GET', p);
      assertError(res, 404, 'not_found');
      assert.ok(res.headers['x-request-id']);
    }
    const post = await request(base, 'POST', '/api/nope', { json: {} });
    assertError(post, 404, 'not_found');
  });

  test('a wrong method is 405 with Allow', async () => {
    for (const [method, p, allow] of [
      ['POST', '/healthz', 'GET'],
      ['DELETE', '/api/auth/register', 'POST'],
      ['PUT', '/api/auth/me', 'GET'],
    ]) {
      const res = await request(base, method, p, { json: {} });
      assertError(res, 405, 'method_not_allowed');
      assert.equal(res.headers.allow, allow, `${method} ${p}`);
    }
  });

  for (const chunked of [false, true]) {
    test(`an oversized body (${chunked ? 'chunked' : 'Content-Length'}) is 413 and closes the connection`, async () => {
      const before_ = snapshot(server.db);
      const res = await request(base, 'POST', '/api/auth/login', {
        body: 'x'.repeat(64 * 1024 + 1),
        chunked,
        headers: { 'Content-Type': 'application/json' },
      });
      assertError(res, 413, 'body_too_large');
      assert.equal(res.headers.connection, 'close');
      assertUnchanged(server.db, before_);
    });
  }

  test('a body at the limit is read (and judged on its content, not refused as too large)', async () => {
    const padding = 64 * 1024 - '{"username":"","password":"x"}'.length;
    const res = await request(base, 'POST', '/api/auth/login', {
      json: { username: 'u'.repeat(padding), password: 'x' },
    });
    assert.equal(
      Buffer.byteLength(JSON.stringify({ username: 'u'.repeat(padding), password: 'x' })),
      64 * 1024,
    );
    assertError(res, 400);
  });

  test('keep-alive: two requests travel on one connection', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await request(base, 'GET', '/healthz', { agent });
      const second = await request(base, 'GET', '/api/auth/me', { agent });
      assert.equal(first.status, 200);
      assert.equal(second.status, 401);
      assert.notEqual(first.headers.connection, 'close');
      assert.ok(first.localPort > 0);
      assert.equal(
        first.localPort,
        second.localPort,
        'the second request reused the first connection',
      );
      assert.equal(first.socket, second.socket);
      assert.notEqual(first.headers['x-request-id'], second.headers['x-request-id']);
    } finally {
      agent.destroy();
    }
  });

  test('keep-alive on a raw socket: two pipelined requests get two answers', async () => {
    const socket = net.connect(server.port, '127.0.0.1');
    const text = await new Promise((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(() => reject(new Error(`no two answers in 10 s: ${buf}`)), 10_000);
      socket.on('error', reject);
      socket.on('data', (d) => {
        buf += d.toString('latin1');
        if ((buf.match(/HTTP\/1\.1 200/g) ?? []).length >= 2 && buf.endsWith('}')) {
          clearTimeout(timer);
          resolve(buf);
        }
      });
      const req = `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`;
      socket.write(req + req);
    });
    socket.destroy();
    assert.equal((text.match(/HTTP\/1\.1 200 OK/g) ?? []).length, 2);
  });

  test(
    'SPA fallback: client routes get index.html, never cached',
    { skip: guiBuilt ? false : `GUI not built (${guiDist})` },
    async () => {
      const index = fs.readFileSync(path.join(guiDist, 'index.html'), 'utf8');
      for (const p of ['/', '/streams/1', '/login']) {
        const res = await request(base, 'GET', p);
        assert.equal(res.status, 200, p);
        assert.match(res.headers['content-type'], /^text\/html/);
        assert.equal(res.headers['cache-control'], 'no-cache');
        assert.equal(res.text, index);
      }
      // A missing file (with an extension) is a 404, not the app shell.
      assertError(await request(base, 'GET', '/assets/missing-abc123.js'), 404);
      // POST to a page is not allowed.
      assertError(await request(base, 'POST', '/streams/1', { json: {} }), 405);
    },
  );

  test(
    'hashed assets are cached immutably',
    { skip: guiBuilt ? false : `GUI not built (${guiDist})` },
    async (t) => {
      const assets = fs.existsSync(path.join(guiDist, 'assets'))
        ? fs.readdirSync(path.join(guiDist, 'assets'))
        : [];
      const js = assets.find((f) => f.endsWith('.js'));
      if (!js) {
        t.skip('no .js under core/gui/dist/assets');
        return;
      }
      const res = await request(base, 'GET', `/assets/${js}`);
      assert.equal(res.status, 200);
      assert.match(res.headers['content-type'], /^text\/javascript/);
      assert.match(res.headers['cache-control'], /max-age=31536000/);
      assert.match(res.headers['cache-control'], /immutable/);
      assert.equal(res.text, fs.readFileSync(path.join(guiDist, 'assets', js), 'utf8'));
    },
  );

  test('/media/ serves files from <data-dir>/media, and nothing outside it', async () => {
    fs.mkdirSync(path.join(server.mediaDir, 'clip'), { recursive: true });
    const playlist = '#EXTM3U\n#EXT-X-VERSION:3\n';
    fs.writeFileSync(path.join(server.mediaDir, 'clip', 'index.m3u8'), playlist);
    const res = await request(base, 'GET', '/media/clip/index.m3u8');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.text, playlist);
    assert.equal(res.headers['content-type'], 'application/vnd.apple.mpegurl');
    assertError(await request(base, 'GET', '/media/clip/missing.m3u8'), 404);
    assertError(await request(base, 'GET', '/media/clip'), 404, 'not_found');
    fs.writeFileSync(path.join(server.dataDir, 'secret.txt'), 'secret');
    for (const p of [
      '/media/../secret.txt',
      '/media/%2e%2e/secret.txt',
      '/media/clip/..%2f..%2fsecret.txt',
    ]) {
      const r = await request(base, 'GET', p);
      assert.notEqual(r.status, 200, p);
      assert.ok(!r.text.includes('secret') || r.body?.error, p);
    }
  });
});

describe('graceful shutdown', () => {
  test('SIGTERM lets an in-flight login finish, refuses new connections, exits 0', async () => {
    const server = await startServer({ args: ['--http-shutdown-timeout', '10'] });
    try {
      const user = await newUser(server.baseUrl, 'grace');
      const sessionsBefore = server.db.count('sessions', `user_id = ${user.user.id}`);
      // Send the headers and part of the body so the request is in flight (being read).
      const body = JSON.stringify({ username: user.username, password: user.password });
      const socket = net.connect(server.port, '127.0.0.1');
      let answer = '';
      socket.on('data', (d) => {
        answer += d.toString('latin1');
      });
      const ended = new Promise((resolve) => socket.on('close', resolve));
      await new Promise((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
      });
      socket.write(
        `POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`,
      );
      // Wait until chorusd has accepted it (the open-connections gauge counts it and this probe),
      // then one more full round trip so the header read has surely run.
      await waitFor(
        async () => {
          const m = await request(server.baseUrl, 'GET', '/metrics');
          const open = Number(/^chorus_http_open_connections (\d+)/m.exec(m.text)?.[1] ?? 0);
          return open >= 2;
        },
        { timeoutMs: 5_000, what: 'the slow connection to be accepted' },
      );
      await request(server.baseUrl, 'GET', '/healthz');
      const termAt = Date.now();
      process.kill(server.pid, 'SIGTERM');
      // New connections are refused once the listener closed.
      await waitFor(
        () =>
          new Promise((resolve) => {
            const probe = net.connect(server.port, '127.0.0.1');
            probe.once('error', () => resolve(true));
            probe.once('connect', () => {
              probe.destroy();
              resolve(false);
            });
          }),
        { timeoutMs: 5_000, what: 'the listener to close' },
      );
      socket.write(body.slice(10));
      await withTimeout(ended, 10_000, 'the in-flight login to be answered');
      assert.match(answer, /^HTTP\/1\.1 200 OK\r\n/, answer);
      assert.match(answer, /\r\nConnection: close\r\n/i);
      assert.match(answer, /\r\nSet-Cookie: chorus_session=[^;]+;/i);
      assert.ok(await waitForExit(server.child, 8_000), 'chorusd exits within 8 s of SIGTERM');
      assert.equal(server.child.exitCode, 0, `exit ${server.exitStatus()}`);
      assert.ok(Date.now() - termAt < 8_000);
      // The login really happened: its session is stored.
      assert.equal(server.db.count('sessions', `user_id = ${user.user.id}`), sessionsBefore + 1);
    } finally {
      await server.stop();
    }
  });

  test('SIGTERM on an idle server exits 0 promptly, closing idle keep-alive connections', async () => {
    const server = await startServer();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const login = await request(server.baseUrl, 'POST', '/api/auth/login', {
        json: { username: kAdminUser, password: kAdminPassword },
        agent,
      });
      assert.equal(login.status, 200);
      const closed = new Promise((resolve) => login.socket.once('close', resolve));
      process.kill(server.pid, 'SIGTERM');
      assert.ok(await waitForExit(server.child, 5_000), 'exits within 5 s');
      assert.equal(server.child.exitCode, 0, `exit ${server.exitStatus()}`);
      await closed;
    } finally {
      agent.destroy();
      await server.stop();
    }
  });
});
