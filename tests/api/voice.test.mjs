// Issue 3, voice membership through the API: join/leave/heartbeat, roster, state with
// ETag/304, the event stream (SSE) with Last-Event-ID replay, moderation, room settings, voice
// settings, presence timeouts, permissions, rate limits, and a chorusd restart. Runs on SQLite +
// in-process state by default, on Postgres / Redis when CHORUS_TEST_POSTGRES_URL /
// CHORUS_TEST_REDIS_URL are set.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertError } from './lib/checks.mjs';
import { adminClient, Client, claimRedisDb, newUser, request, waitFor } from './lib/index.mjs';
import { setTimeout as heartbeatPause } from 'node:timers/promises';
import { Deployment, openEvents } from './lib/voice-harness.mjs';

const kArgs = ['--voice-settings-rate', '8', '--voice-join-rate', '200'];
const kShortPresence = ['--voice-presence-timeout', '2', '--voice-sweep-interval', '1', '--voice-rejoin-grace', '3'];

const voicePath = (id, rest) => `/api/voice/streams/${id}/${rest}`;

describe('voice', () => {
  let dep;
  let redisClaim = null;
  let base;
  let admin;
  let alice;
  let bob;
  let carol;
  let stream; // a voice stream hosted by carol
  const listeners = [];

  const listen = async (client, id, headers) => {
    const s = openEvents(client, voicePath(id, 'events'), { headers });
    listeners.push(s);
    await s.ready;
    return s;
  };

  before(async () => {
    if (process.env.CHORUS_TEST_REDIS_URL) redisClaim = claimRedisDb(process.env.CHORUS_TEST_REDIS_URL);
    dep = new Deployment({ redisUrl: redisClaim?.url ?? null, args: kArgs });
    base = await dep.start();
    admin = await adminClient(base);
    alice = await newUser(base, 'alice');
    bob = await newUser(base, 'bob');
    carol = await newUser(base, 'carol');
    const created = await admin.post('/api/streams', {
      title: 'voice test',
      voice_enabled: true,
      host_id: carol.user.id,
    });
    assert.equal(created.status, 201, created.text);
    stream = created.body.id;
  });
  after(async () => {
    for (const l of listeners) l.close?.();
    await dep?.destroy();
    redisClaim?.release();
  });

  test('every voice endpoint needs a session (401)', async () => {
    const anon = new Client(base);
    for (const [method, path] of [
      ['POST', voicePath(stream, 'join')],
      ['POST', voicePath(stream, 'leave')],
      ['POST', voicePath(stream, 'heartbeat')],
      ['GET', voicePath(stream, 'roster')],
      ['GET', voicePath(stream, 'state')],
      ['GET', voicePath(stream, 'events')],
      ['POST', voicePath(stream, `members/${alice.user.id}/mute`)],
      ['POST', voicePath(stream, `members/${alice.user.id}/kick`)],
      ['PATCH', voicePath(stream, 'room')],
      ['GET', '/api/settings/voice'],
      ['PUT', '/api/settings/voice'],
    ]) {
      const res = await anon.request(method, path, { json: method === 'GET' ? undefined : {} });
      assertError(res, 401, 'unauthenticated');
    }
    assert.equal(dep.db.count('voice_members'), 0);
  });

  test('join returns room, ws sfu_url, token, roster, settings; writes room, membership, audit', async () => {
    const res = await alice.client.post(voicePath(stream, 'join'), {});
    assert.equal(res.status, 200, res.text);
    const b = res.body;
    assert.equal(b.room_id, `stream-${stream}`);
    assert.equal(b.sfu_url, `${base.replace('http://', 'ws://')}/rtc`);
    assert.equal(b.token.split('.').length, 3);
    assert.ok(Date.parse(b.expires_at) > Date.now() + 60_000);
    assert.equal(b.heartbeat_interval_ms, 10_000);
    assert.deepEqual(
      b.roster.map((m) => [m.user_id, m.username, m.role, m.muted]),
      [[alice.user.id, alice.username, 'member', false]],
    );
    assert.ok(Date.parse(b.roster[0].joined_at));
    assert.equal(b.settings.input_gain, 100);
    const header = JSON.parse(Buffer.from(b.token.split('.')[0], 'base64url').toString());
    assert.equal(header.alg, 'HS256');
    const claims = JSON.parse(Buffer.from(b.token.split('.')[1], 'base64url').toString());
    assert.equal(claims.sub, String(alice.user.id));
    assert.equal(claims.room, `stream-${stream}`);
    assert.equal(claims.grants.moderate, false);
    assert.equal(dep.db.count('voice_rooms', `stream_id = ${stream}`), 1);
    assert.equal(
      dep.db.count('voice_members', `stream_id = ${stream} AND user_id = ${alice.user.id} AND left_at IS NULL`),
      1,
    );
    assert.ok(dep.db.count('audit_log', `action = 'voice.join' AND target_user_id = ${alice.user.id}`) >= 1);
    // The stream shows the participant.
    const st = await alice.client.get(`/api/streams/${stream}`);
    assert.equal(st.body.voice.participants, 1);
    // Joining again (a reconnect) keeps the seat and the same joined_at.
    const again = await alice.client.post(voicePath(stream, 'join'), {});
    assert.equal(again.status, 200);
    assert.equal(again.body.member.joined_at, b.roster[0].joined_at);
    assert.equal(dep.db.count('voice_members', `stream_id = ${stream} AND user_id = ${alice.user.id}`), 1);
  });

  test('join refusals: unknown stream 404, voice disabled 403, bad body 400, bad id 404', async () => {
    assertError(await alice.client.post(voicePath(999999, 'join'), {}), 404, 'not_found');
    const off = await admin.post('/api/streams', { title: 'no voice', voice_enabled: false });
    assert.equal(off.status, 201);
    const before = dep.db.count('voice_members');
    assertError(await alice.client.post(voicePath(off.body.id, 'join'), {}), 403, 'voice_disabled');
    assertError(await alice.client.post(voicePath(stream, 'join'), { role: 'host' }), 400, 'unknown_field');
    assertError(await alice.client.post(voicePath('abc', 'join'), {}), 404);
    assert.equal(dep.db.count('voice_members'), before);
  });

  test('heartbeat: 200 for members, 409 not_joined otherwise', async () => {
    const ok = await alice.client.post(voicePath(stream, 'heartbeat'), {});
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.heartbeat_interval_ms, 10_000);
    assertError(await bob.client.post(voicePath(stream, 'heartbeat'), {}), 409, 'not_joined');
  });

  test('roster and state; ETag and If-None-Match → 304; a change gives a new ETag', async () => {
    const roster = await bob.client.get(voicePath(stream, 'roster'));
    assert.equal(roster.status, 200);
    assert.ok(Array.isArray(roster.body));
    assert.deepEqual(Object.keys(roster.body[0]).sort(), [
      'hand_raised_at', 'joined_at', 'muted', 'muted_by_host', 'role', 'speaker', 'user_id', 'username',
    ]);
    const s1 = await bob.client.get(voicePath(stream, 'state'));
    assert.equal(s1.status, 200);
    assert.ok(s1.headers.etag);
    assert.equal(s1.body.room.room_id, `stream-${stream}`);
    assert.equal(s1.body.room.max_members, 50);
    assert.equal(typeof s1.body.version, 'number');
    const s2 = await bob.client.get(voicePath(stream, 'state'), { headers: { 'If-None-Match': s1.headers.etag } });
    assert.equal(s2.status, 304);
    assert.equal(s2.text, '');
    assert.equal(s2.headers.etag, s1.headers.etag);
    await bob.client.post(voicePath(stream, 'join'), {});
    const s3 = await bob.client.get(voicePath(stream, 'state'), { headers: { 'If-None-Match': s1.headers.etag } });
    assert.equal(s3.status, 200);
    assert.notEqual(s3.headers.etag, s1.headers.etag);
    assert.ok(s3.body.version > s1.body.version);
    assert.equal(s3.body.roster.length, 2);
    await bob.client.post(voicePath(stream, 'leave'), {});
    assertError(await bob.client.get(voicePath(424242, 'state')), 404, 'not_found');
  });

  test('SSE: a listener sees another user join and leave, with ids; Last-Event-ID replays', async () => {
    const es = await listen(alice.client, stream);
    assert.equal(es.status, 200);
    assert.match(es.headers['content-type'], /^text\/event-stream/);
    await es.waitFor((e) => e.event === 'hello', 'hello');
    const join = await bob.client.post(voicePath(stream, 'join'), {});
    assert.equal(join.status, 200);
    const joined = await es.waitFor((e) => e.event === 'member_joined' && e.json.member.user_id === bob.user.id, 'bob joined');
    assert.ok(Number(joined.id) > 0);
    const leave = await bob.client.post(voicePath(stream, 'leave'), {});
    assert.equal(leave.body.left, true);
    const left = await es.waitFor((e) => e.event === 'member_left' && e.json.user_id === bob.user.id, 'bob left');
    assert.equal(left.json.reason, 'leave');
    assert.ok(Number(left.id) > Number(joined.id));
    // A reconnect that saw the join gets the leave replayed.
    const replay = await listen(alice.client, stream, { 'Last-Event-ID': joined.id });
    const again = await replay.waitFor((e) => e.event === 'member_left' && e.json.user_id === bob.user.id, 'replayed leave');
    assert.equal(again.id, left.id);
    assert.ok(!replay.events.some((e) => e.event === 'member_joined' && e.id === joined.id), 'no duplicate of seen events');
    replay.close();
    es.close();
    // Leave is idempotent and closes the membership with left_at.
    const twice = await bob.client.post(voicePath(stream, 'leave'), {});
    assert.equal(twice.status, 200);
    assert.equal(twice.body.left, false);
    assert.equal(dep.db.count('voice_members', `user_id = ${bob.user.id} AND left_at IS NULL`), 0);
    assert.ok(dep.db.count('audit_log', `action = 'voice.leave' AND target_user_id = ${bob.user.id}`) >= 1);
  });

  test('moderation: members cannot; the host mutes, unmutes and kicks; kicked users cannot rejoin', async () => {
    await bob.client.post(voicePath(stream, 'join'), {});
    const es = await listen(alice.client, stream);
    assertError(await alice.client.post(voicePath(stream, `members/${bob.user.id}/mute`), {}), 403, 'forbidden');
    const mute = await carol.client.post(voicePath(stream, `members/${bob.user.id}/mute`), {});
    assert.equal(mute.status, 200, mute.text);
    assert.equal(mute.body.member.muted, true);
    const updated = await es.waitFor((e) => e.event === 'member_updated' && e.json.member.user_id === bob.user.id, 'muted');
    assert.equal(updated.json.member.muted, true);
    const roster = await alice.client.get(voicePath(stream, 'roster'));
    assert.equal(roster.body.find((m) => m.user_id === bob.user.id).muted, true);
    const unmute = await carol.client.post(voicePath(stream, `members/${bob.user.id}/unmute`), {});
    assert.equal(unmute.body.member.muted, false);
    assertError(await carol.client.post(voicePath(stream, `members/999999/mute`), {}), 404);
    const kick = await carol.client.post(voicePath(stream, `members/${bob.user.id}/kick`), {});
    assert.equal(kick.status, 200, kick.text);
    const kicked = await es.waitFor((e) => e.event === 'member_left' && e.json.reason === 'kick', 'kicked');
    assert.equal(kicked.json.user_id, bob.user.id);
    assertError(await bob.client.post(voicePath(stream, 'join'), {}), 403, 'kicked');
    assert.equal(dep.db.count('voice_kicks', `stream_id = ${stream} AND user_id = ${bob.user.id}`), 1);
    for (const action of ['voice.mute', 'voice.unmute', 'voice.kick']) {
      assert.ok(dep.db.count('audit_log', `action = '${action}' AND target_user_id = ${bob.user.id}`) >= 1, action);
    }
    assertError(await alice.client.post(voicePath(stream, `members/${carol.user.id}/kick`), {}), 403);
    es.close();
  });

  test('room settings: host or admin only, validated, full room refuses newcomers (409)', async () => {
    const created = await admin.post('/api/streams', { title: 'small room', voice_enabled: true, host_id: carol.user.id });
    const small = created.body.id;
    assertError(await alice.client.patch(voicePath(small, 'room'), { max_members: 1 }), 403, 'forbidden');
    assertError(await carol.client.patch(voicePath(small, 'room'), { max_members: 0 }), 400);
    assertError(await carol.client.patch(voicePath(small, 'room'), { color: 'red' }), 400, 'unknown_field');
    assertError(await carol.client.patch(voicePath(small, 'room'), {}), 400, 'empty_patch');
    const es = await listen(alice.client, small);
    const patched = await carol.client.patch(voicePath(small, 'room'), { max_members: 1, max_speakers: 3 });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.max_members, 1);
    assert.equal(patched.body.max_speakers, 3);
    await es.waitFor((e) => e.event === 'room_updated' && e.json.room.max_members === 1, 'room_updated');
    assert.equal((await alice.client.post(voicePath(small, 'join'), {})).status, 200);
    assertError(await carol.client.post(voicePath(small, 'join'), {}), 409, 'room_full');
    es.close();
  });

  test('voice settings: defaults, round trip, strict validation, event to other sessions, 429', async () => {
    const erin = await newUser(base, 'erin');
    const defaults = await erin.client.get('/api/settings/voice');
    assert.equal(defaults.status, 200);
    assert.deepEqual(defaults.body, {
      auto_join: false, mute_on_join: false, input_device_id: '', input_gain: 100, push_to_talk: false,
      ptt_key: '', noise_suppression: true, echo_cancellation: true, auto_gain_control: true, output_volume: 100,
    });
    // A second session of the same user listens for settings_updated.
    const other = new Client(base);
    await other.login(erin.username, erin.password);
    const es = await listen(other, stream);
    const mine = await listen(erin.client, stream);
    const put = await erin.client.request('PUT', '/api/settings/voice', {
      json: { push_to_talk: true, ptt_key: 'KeyV', input_gain: 150, mute_on_join: true },
    });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.ptt_key, 'KeyV');
    assert.equal(put.body.output_volume, 100);
    const ev = await es.waitFor((e) => e.event === 'settings_updated', 'settings_updated');
    assert.equal(ev.json.settings.input_gain, 150);
    assert.deepEqual((await other.get('/api/settings/voice')).body, put.body);
    assert.equal(dep.db.count('voice_settings', `user_id = ${erin.user.id}`), 1);
    for (const bad of [{ input_gain: 201 }, { input_gain: -1 }, { output_volume: 'loud' }, { volume: 1 }, { ptt_key: 'x'.repeat(65) }]) {
      assertError(await erin.client.request('PUT', '/api/settings/voice', { json: bad }), 400);
    }
    assertError(await erin.client.request('PUT', '/api/settings/voice', { body: '[1]', headers: { 'Content-Type': 'application/json' } }), 400);
    assert.deepEqual((await erin.client.get('/api/settings/voice')).body, put.body);
    assert.ok(!mine.events.some((e) => e.event === 'settings_updated'), 'the writing session is not told');
    // mute_on_join applies on the next join.
    const joined = await erin.client.post(voicePath(stream, 'join'), {});
    assert.equal(joined.body.member.muted, true);
    await erin.client.post(voicePath(stream, 'leave'), {});
    // Rate limit: 8 writes per minute, 1 used above.
    let limited = null;
    for (let i = 0; i < 10 && !limited; i += 1) {
      const r = await erin.client.request('PUT', '/api/settings/voice', { json: { input_gain: 100 + i } });
      if (r.status === 429) limited = r;
      else assert.equal(r.status, 200, r.text);
    }
    assert.ok(limited, 'no 429 after the settings rate');
    assertError(limited, 429, 'rate_limited');
    assert.ok(Number(limited.headers['retry-after']) >= 1);
    es.close();
    mine.close();
  });

  test('logs: voice events go to logs/voice-YYYY-MM-DD.log as JSON lines', async () => {
    await waitFor(() => dep.voiceLog().some((l) => l.msg === 'member joined' && l.user_id === alice.user.id), {
      what: 'member joined in the voice log',
    });
  });

  test('a restart keeps settings, rooms and room settings', async () => {
    const put = await alice.client.request('PUT', '/api/settings/voice', { json: { output_volume: 42 } });
    assert.equal(put.status, 200, put.text);
    const created = await admin.post('/api/streams', { title: 'kept room', voice_enabled: true, host_id: carol.user.id });
    const kept = created.body.id;
    assert.equal((await carol.client.patch(voicePath(kept, 'room'), { max_members: 7 })).status, 200);
    // An open event stream must not hold up the shutdown: it ends, and chorusd exits in time.
    const es = await listen(alice.client, kept);
    await es.waitFor((e) => e.event === 'hello', 'hello');
    const started = Date.now();
    const stopped = await dep.stop();
    assert.equal(stopped.killed, false, 'chorusd did not stop on SIGTERM in time');
    assert.ok(Date.now() - started < 5_000, `shutdown took ${Date.now() - started} ms`);
    assert.ok(['end', 'close'].includes(await es.ended));
    base = await dep.start();
    const again = new Client(base);
    await again.login(alice.username, alice.password);
    const got = await again.get('/api/settings/voice');
    assert.equal(got.status, 200);
    assert.equal(got.body.output_volume, 42);
    const state = await again.get(voicePath(kept, 'state'));
    assert.equal(state.status, 200, state.text);
    assert.equal(state.body.room.max_members, 7);
    assert.equal(dep.db.count('voice_rooms', `stream_id = ${kept}`), 1);
    // Tokens minted before the restart were signed with the kept secret: a join still works.
    assert.equal((await again.post(voicePath(kept, 'join'), {})).status, 200);
  });
});

describe('voice presence timeouts', () => {
  let dep;
  let redisClaim = null;
  let base;
  let alice;
  let stream;
  const listeners = [];
  const listen = async (client, id) => {
    const s = openEvents(client, voicePath(id, 'events'));
    listeners.push(s);
    await s.ready;
    return s;
  };
  before(async () => {
    if (process.env.CHORUS_TEST_REDIS_URL) redisClaim = claimRedisDb(process.env.CHORUS_TEST_REDIS_URL);
    dep = new Deployment({ redisUrl: redisClaim?.url ?? null, args: kShortPresence });
    base = await dep.start();
    const admin = await adminClient(base);
    alice = await newUser(base, 'alice');
    const created = await admin.post('/api/streams', { title: 'timeouts', voice_enabled: true });
    stream = created.body.id;
  });
  after(async () => {
    for (const l of listeners) l.close?.();
    await dep?.destroy();
    redisClaim?.release();
  });

  test('a member whose heartbeats stop is evicted with reason timeout', async () => {
    const dave = await newUser(base, 'dave');
    const es = await listen(alice.client, stream);
    assert.equal((await dave.client.post(voicePath(stream, 'join'), {})).status, 200);
    const gone = await es.waitFor(
      (e) => e.event === 'member_left' && e.json.user_id === dave.user.id,
      'timeout eviction',
      15_000,
    );
    assert.equal(gone.json.reason, 'timeout');
    assertError(await dave.client.post(voicePath(stream, 'heartbeat'), {}), 409, 'not_joined');
    await waitFor(() => dep.db.count('audit_log', `action = 'voice.timeout' AND target_user_id = ${dave.user.id}`) === 1, {
      what: 'timeout audit row',
    });
    assert.equal(dep.db.count('voice_members', `user_id = ${dave.user.id} AND left_at IS NULL`), 0);
    const metrics = await request(base, 'GET', '/metrics');
    assert.match(metrics.text, /chorus_voice_sweep_evictions_total \d+/);
    assert.match(metrics.text, /chorus_voice_sse_clients \d+/);
    es.close();
  });

  test('a page-hide leave keeps the seat: a quick rejoin publishes nothing, else a timeout', async () => {
    const gail = await newUser(base, 'gail');
    const henry = await newUser(base, 'henry');
    const es = await listen(alice.client, stream);
    assert.equal((await gail.client.post(voicePath(stream, 'join'), {})).status, 200);
    await es.waitFor((e) => e.event === 'member_joined' && e.json.member?.user_id === gail.user.id, 'gail joined');
    assertError(await gail.client.post(voicePath(stream, 'leave'), { reason: 'bogus' }), 400);
    const hidden = await gail.client.post(voicePath(stream, 'leave'), { reason: 'page_hide' });
    assert.equal(hidden.status, 200);
    assert.equal(hidden.body.left, true);
    assert.equal((await gail.client.post(voicePath(stream, 'join'), {})).status, 200);
    // Events are ordered: once henry's join arrives, any leave/join of gail's would have too.
    assert.equal((await henry.client.post(voicePath(stream, 'join'), {})).status, 200);
    await es.waitFor((e) => e.event === 'member_joined' && e.json.member?.user_id === henry.user.id, 'henry joined');
    const gails = es.events.filter((e) => e.json?.user_id === gail.user.id || e.json?.member?.user_id === gail.user.id);
    assert.deepEqual(
      gails.map((e) => e.event),
      ['member_joined'],
      'a page reload must not show gail leaving and joining',
    );
    // Hidden for good: the seat times out after the grace.
    assert.equal((await gail.client.post(voicePath(stream, 'leave'), { reason: 'page_hide' })).status, 200);
    const gone = await es.waitFor(
      (e) => e.event === 'member_left' && e.json.user_id === gail.user.id,
      'gail timed out after the grace',
      15_000,
    );
    assert.equal(gone.json.reason, 'timeout');
    es.close();
  });

  test('heartbeats keep a member seated past the timeout', async () => {
    const frank = await newUser(base, 'frank');
    assert.equal((await frank.client.post(voicePath(stream, 'join'), {})).status, 200);
    const until = Date.now() + 4_000; // twice the presence timeout
    while (Date.now() < until) {
      assert.equal((await frank.client.post(voicePath(stream, 'heartbeat'), {})).status, 200);
      await heartbeatPause(500); // the client's heartbeat cadence, not a wait for a condition
    }
    const roster = await frank.client.get(voicePath(stream, 'roster'));
    assert.ok(roster.body.some((m) => m.user_id === frank.user.id));
  });
});
