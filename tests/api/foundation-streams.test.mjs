// Issue 2, streams: list, get (with voice), create (admin), update (admin or host); no session
// (401), non-admin (403), bad input (400/413), unknown ids (404), wrong method (405). Every
// refusal is followed by a direct database check that nothing changed.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertError, assertUnchanged, snapshot } from './lib/checks.mjs';
import { adminClient, newUser, request, startServer } from './lib/index.mjs';

describe('streams', () => {
  let server;
  let base;
  let admin;
  let alice; // a plain user
  let bob; // a plain user who hosts a stream
  let bobStream;
  before(async () => {
    server = await startServer();
    base = server.baseUrl;
    admin = await adminClient(base);
    alice = await newUser(base, 'alice');
    bob = await newUser(base, 'bob');
  });
  after(async () => {
    await server?.stop();
  });

  test('list and get need a session (401)', async () => {
    assertError(await request(base, 'GET', '/api/streams'), 401, 'unauthenticated');
    assertError(await request(base, 'GET', '/api/streams/1'), 401, 'unauthenticated');
  });

  test('any user lists streams and gets one with its voice block; the demo stream is id 1', async () => {
    const list = await alice.client.get('/api/streams');
    assert.equal(list.status, 200, list.text);
    assert.ok(Array.isArray(list.body.streams));
    const demo = list.body.streams.find((s) => s.id === 1);
    assert.ok(demo, 'demo stream 1 listed');
    assert.equal(list.body.streams.length, server.db.count('streams'));
    const one = await alice.client.get('/api/streams/1');
    assert.equal(one.status, 200);
    for (const key of [
      'id',
      'title',
      'description',
      'hls_url',
      'host_id',
      'voice_enabled',
      'created_at',
      'updated_at',
    ]) {
      assert.ok(key in one.body, `field ${key}`);
    }
    assert.deepEqual(one.body.voice, { enabled: demo.voice_enabled, participants: 0 });
    assert.equal(one.body.title, server.db.scalar('SELECT title FROM streams WHERE id = 1'));
    assert.ok(!Number.isNaN(Date.parse(one.body.created_at)), 'created_at is a date');
  });

  test('unknown or malformed stream ids are 404', async () => {
    for (const id of ['999999', '0', '-1', 'abc', '1x', '99999999999999999999999']) {
      assertError(await alice.client.get(`/api/streams/${id}`), 404, 'not_found');
    }
  });

  test('an admin creates a stream (201) and it is stored', async () => {
    const before_ = server.db.count('streams');
    const res = await admin.post('/api/streams', {
      title: 'Evening talk',
      description: 'About codecs',
      hls_url: '/media/talk/index.m3u8',
      voice_enabled: false,
      host_id: bob.user.id,
    });
    assert.equal(res.status, 201, res.text);
    bobStream = res.body;
    assert.equal(res.body.title, 'Evening talk');
    assert.equal(res.body.host_id, bob.user.id);
    assert.equal(res.body.voice_enabled, false);
    assert.deepEqual(res.body.voice, { enabled: false, participants: 0 });
    assert.equal(server.db.count('streams'), before_ + 1);
    const row = server.db.query(
      `SELECT title, description, hls_url, host_id FROM streams WHERE id = ${res.body.id}`,
    )[0];
    assert.deepEqual(row, [
      'Evening talk',
      'About codecs',
      '/media/talk/index.m3u8',
      String(bob.user.id),
    ]);
    // Defaults: voice on, the admin hosts, empty strings.
    const minimal = await admin.post('/api/streams', { title: 'Minimal' });
    assert.equal(minimal.status, 201, minimal.text);
    assert.equal(minimal.body.voice_enabled, true);
    assert.equal(minimal.body.description, '');
    assert.equal(minimal.body.host_id, (await admin.get('/api/auth/me')).body.user.id);
    const listed = await alice.client.get('/api/streams');
    assert.ok(listed.body.streams.some((s) => s.id === minimal.body.id));
  });

  test('creating needs a session (401) and the admin role (403); nothing is written', async () => {
    const before_ = snapshot(server.db);
    assertError(
      await request(base, 'POST', '/api/streams', { json: { title: 'No session' } }),
      401,
    );
    assertError(await alice.client.post('/api/streams', { title: 'Not admin' }), 403, 'forbidden');
    assertError(
      await bob.client.post('/api/streams', { title: 'Host, not admin' }),
      403,
      'forbidden',
    );
    assertUnchanged(server.db, before_);
    const titles = (await alice.client.get('/api/streams')).body.streams.map((s) => s.title);
    assert.ok(!titles.includes('Not admin') && !titles.includes('No session'));
  });

  test('bad stream input is 400 and writes nothing', async () => {
    const cases = [
      [
        'malformed JSON',
        { body: '{"title": "x",', headers: { 'Content-Type': 'application/json' } },
        400,
        'invalid_json',
      ],
      ['array body', { json: [{ title: 'x' }] }, 400, 'invalid_json'],
      ['missing title', { json: { description: 'x' } }, 400, 'missing_field'],
      ['empty title', { json: { title: '' } }, 400],
      ['title too long', { json: { title: 't'.repeat(201) } }, 400],
      ['title a number', { json: { title: 42 } }, 400],
      ['voice_enabled a string', { json: { title: 'x', voice_enabled: 'yes' } }, 400],
      ['voice_enabled a number', { json: { title: 'x', voice_enabled: 1 } }, 400],
      ['host_id a string', { json: { title: 'x', host_id: '1' } }, 400],
      ['host_id a fraction', { json: { title: 'x', host_id: 1.5 } }, 400],
      ['host_id zero', { json: { title: 'x', host_id: 0 } }, 400],
      ['host_id unknown user', { json: { title: 'x', host_id: 987654 } }, 400, 'unknown_user'],
      ['unknown field', { json: { title: 'x', id: 77 } }, 400, 'unknown_field'],
      ['javascript: hls_url', { json: { title: 'x', hls_url: 'javascript:alert(1)' } }, 400],
      ['relative hls_url', { json: { title: 'x', hls_url: 'media/x.m3u8' } }, 400],
    ];
    for (const [what, options, status, code] of cases) {
      const before_ = snapshot(server.db);
      const res = await admin.request('POST', '/api/streams', options);
      assert.equal(res.status, status, `${what}: ${res.status} ${res.text}`);
      assertError(res, status, code);
      assertUnchanged(server.db, before_, what);
    }
  });

  test('an admin updates any stream; the host updates its own', async () => {
    const byAdmin = await admin.patch(`/api/streams/${bobStream.id}`, {
      title: 'Renamed by admin',
      voice_enabled: true,
    });
    assert.equal(byAdmin.status, 200, byAdmin.text);
    assert.equal(byAdmin.body.title, 'Renamed by admin');
    assert.equal(byAdmin.body.voice_enabled, true);
    assert.equal(byAdmin.body.description, 'About codecs', 'untouched fields stay');
    const byHost = await bob.client.patch(`/api/streams/${bobStream.id}`, {
      description: 'Now about Opus',
      hls_url: '',
    });
    assert.equal(byHost.status, 200, byHost.text);
    assert.equal(byHost.body.description, 'Now about Opus');
    const row = server.db.query(
      `SELECT title, description, hls_url FROM streams WHERE id = ${bobStream.id}`,
    )[0];
    assert.deepEqual(row.slice(0, 2), ['Renamed by admin', 'Now about Opus']);
    assert.ok(row.length === 2 || row[2] === '', 'hls_url cleared');
    const got = await alice.client.get(`/api/streams/${bobStream.id}`);
    assert.equal(got.body.description, 'Now about Opus');
    // The admin may move the host and clear it.
    const moved = await admin.patch(`/api/streams/${bobStream.id}`, { host_id: alice.user.id });
    assert.equal(moved.body.host_id, alice.user.id);
    const back = await admin.patch(`/api/streams/${bobStream.id}`, { host_id: bob.user.id });
    assert.equal(back.body.host_id, bob.user.id);
  });

  test('updates by others, without a session, or with bad input are refused and write nothing', async () => {
    const id = bobStream.id;
    const cases = [
      ['no session', null, { json: { title: 'x' } }, 401],
      ['not admin, not host', alice.client, { json: { title: 'Hijacked' } }, 403],
      [
        'not admin, not host, demo stream',
        alice.client,
        { json: { title: 'Hijacked' } },
        403,
        '/api/streams/1',
      ],
      ['host changing the host', bob.client, { json: { host_id: alice.user.id } }, 403],
      ['empty patch', admin, { json: {} }, 400, undefined, 'empty_patch'],
      [
        'malformed JSON',
        admin,
        { body: '{', headers: { 'Content-Type': 'application/json' } },
        400,
        undefined,
        'invalid_json',
      ],
      ['unknown field', admin, { json: { title: 'x', owner: 1 } }, 400, undefined, 'unknown_field'],
      ['wrong type', admin, { json: { voice_enabled: 'false' } }, 400],
      ['null title', admin, { json: { title: null } }, 400],
      ['empty title', admin, { json: { title: '' } }, 400],
      ['bad hls_url', admin, { json: { hls_url: 'ftp://x' } }, 400],
      ['unknown host', admin, { json: { host_id: 987654 } }, 400, undefined, 'unknown_user'],
      ['unknown stream', admin, { json: { title: 'x' } }, 404, '/api/streams/999999'],
      [
        'cross-site form',
        bob.client,
        { body: 'title=x', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
        415,
      ],
      [
        'cross-origin JSON',
        bob.client,
        { json: { title: 'x' }, headers: { Origin: 'http://evil.example' } },
        403,
      ],
    ];
    for (const [what, client, options, status, path = `/api/streams/${id}`, code] of cases) {
      const before_ = snapshot(server.db);
      const res = client
        ? await client.request('PATCH', path, options)
        : await request(base, 'PATCH', path, options);
      assert.equal(res.status, status, `${what}: ${res.status} ${res.text}`);
      assertError(res, status, code);
      assertUnchanged(server.db, before_, what);
    }
  });

  test('an oversized create or update body is 413 and writes nothing', async () => {
    const big = 'd'.repeat(70 * 1024);
    for (const [method, path, json] of [
      ['POST', '/api/streams', { title: 'x', description: big }],
      ['PATCH', `/api/streams/${bobStream.id}`, { description: big }],
    ]) {
      const before_ = snapshot(server.db);
      assertError(await admin.request(method, path, { json }), 413, 'body_too_large');
      assertError(
        await admin.request(method, path, { json, chunked: true }),
        413,
        'body_too_large',
      );
      assertUnchanged(server.db, before_, `${method} ${path}`);
    }
  });

  test('wrong method on streams is 405 with Allow', async () => {
    const post = await admin.request('POST', '/api/streams/1', { json: {} });
    assertError(post, 405, 'method_not_allowed');
    assert.deepEqual(post.headers.allow.split(', ').sort(), ['DELETE', 'GET', 'PATCH']);
    const put = await admin.request('PUT', '/api/streams', { json: {} });
    assertError(put, 405);
    assert.deepEqual(put.headers.allow.split(', ').sort(), ['GET', 'POST']);
  });
});
