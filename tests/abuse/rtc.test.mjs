// Issue 8, items 2 and 3 — the /rtc media connection under abuse, against a real chorusd (SQLite +
// in-process state, or Postgres + Redis when CHORUS_TEST_POSTGRES_URL / CHORUS_TEST_REDIS_URL are
// set), with a raw WebSocket client (lib/rtc.mjs) and the real Chromium offer (no ICE/DTLS: the
// participant exists in the SFU without media):
// - the upgrade follows the CSRF origin rule;
// - a join needs a valid, unrevoked token AND a seat in the room's roster; one live connection
//   per token; refusals never carry backend or exception text;
// - every way of leaving (REST leave, page-hide leave, logout, kick, voice off, presence timeout)
//   ends the media connection within 1 s: a final `closed`/`kicked`, the socket closed by the
//   server, the SFU participant gone, the voice_members row closed — also when voice is turned
//   off while Redis is down;
// - per-socket message budget, mute-toggle budget, only real mute changes written, `ping.t`
//   validated, and a client that stops reading is dropped (byte-capped queue, write deadline).
// Each test starts its own chorusd and users.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { assertError } from '../api/lib/checks.mjs';
import { adminClient, Client, newUser, request, waitFor, withTimeout } from '../api/lib/index.mjs';
import { Deployment, openEvents, PrivateRedis } from '../api/lib/voice-harness.mjs';
import {
  assertCleanMessage,
  assertRtcError,
  createVoiceStream,
  describeMessages,
  destroyAll,
  joinVoice,
  joinWithMedia,
  openRtc,
  redisCli,
  redisUrlOf,
  rtcJoin,
  serverFor,
  sfuParticipants,
  waitParticipants,
} from './lib/rtc.mjs';

const kWithRedis = Boolean(process.env.CHORUS_TEST_REDIS_URL);
// No ICE ever runs here: keep consent expiry from removing participants mid-test.
const kArgs = ['--rtc-consent-timeout', '600'];
const kEndMs = 1_000; // leaving ends media within this
const voicePath = (id, rest) => `/api/voice/streams/${id}/${rest}`;

/** A server, the admin, a host user and a voice stream hosted by that user. */
async function voiceSetup(t, args = []) {
  const server = await serverFor(t, { args: [...kArgs, ...args] });
  const base = server.baseUrl;
  const admin = await adminClient(base);
  const host = await newUser(base, 'host');
  const stream = await createVoiceStream(admin, { hostId: host.user.id });
  const conns = [];
  t.after(() => destroyAll(conns));
  return { server, base, admin, host, stream, conns };
}

/** Sends a ping and waits for its pong: every message sent before it has been handled. */
async function barrier(rtc, t = Math.floor(Math.random() * 1e9)) {
  rtc.send({ type: 'ping', t });
  await rtc.waitFor((m) => m.type === 'pong' && m.t === t, 5_000, `pong ${t}`);
}

/** Open voice_members rows of `userId` in `stream`. */
const openRows = (db, stream, userId) =>
  db.count('voice_members', `stream_id = ${stream} AND user_id = ${userId} AND left_at IS NULL`);

/** The latest voice_members row of the user: [left_at, left_reason]. */
const lastRow = (db, stream, userId) =>
  db.query(
    `SELECT COALESCE(CAST(left_at AS TEXT), 'NULL'), COALESCE(left_reason, 'NULL') FROM voice_members
     WHERE stream_id = ${stream} AND user_id = ${userId} ORDER BY id DESC LIMIT 1`,
  )[0];

/**
 * Asserts the connection gets `final` (a predicate on the last message) and is closed by the
 * server within kEndMs of `start`, and that the SFU count drops to `participants` within it too.
 */
async function assertMediaEnded(base, rtc, start, final, what, participants) {
  const msg = await rtc.waitFor(final, 3_000, what);
  const closed = await withTimeout(rtc.closed, 3_000, `server closing /rtc after ${what}`);
  assert.notEqual(closed.by, 'error', `/rtc ended with an error: ${closed.reason}`);
  // The final message is the last one the server sent.
  assert.deepEqual(
    rtc.messages.at(-1),
    msg,
    `messages after ${what}: ${describeMessages(rtc.messages)}`,
  );
  const closeMs = closed.at - start;
  assert.ok(closeMs <= kEndMs, `/rtc closed ${closeMs} ms after ${what} (limit ${kEndMs} ms)`);
  await waitParticipants(base, participants, { timeoutMs: 3_000 });
  const dropMs = Date.now() - start;
  assert.ok(dropMs <= kEndMs + 100, `SFU participant gone only ${dropMs} ms after ${what}`);
  return msg;
}

describe('/rtc upgrade: origin rule', () => {
  test('a foreign Origin gets 403 JSON and no socket; none or our own origin upgrades', async (t) => {
    const { server, base, conns } = await voiceSetup(t);
    for (const origin of ['http://evil.example', `http://evil.example:${server.port}`, 'null']) {
      const res = await openRtc(base, { origin });
      conns.push(res);
      assert.equal(res.status, 403, `Origin ${origin}: ${res.status} ${res.text}`);
      assert.match(res.headers['content-type'] ?? '', /^application\/json/);
      assert.equal(res.body?.error?.code, 'forbidden', res.text);
      assert.equal(res.body.error.request_id, res.headers['x-request-id']);
      assert.equal(res.headers.upgrade, undefined, 'a refused upgrade named Upgrade');
    }
    const none = await openRtc(base);
    const own = await openRtc(base, { origin: `http://127.0.0.1:${server.port}` });
    conns.push(none, own);
    assert.equal(none.status, 101, none.text);
    assert.equal(own.status, 101, own.text);
    assert.deepEqual([...none.protocolErrors, ...own.protocolErrors], []);
    // A socket that never joins: the first message must be a join.
    own.send({ type: 'ping', t: 1 });
    assertRtcError(await own.waitFor((m) => m.type === 'error'), 'join_required');
    await withTimeout(own.closed, 3_000, 'close after join_required');
    assert.equal(await sfuParticipants(base), 0);
  });
});

describe('/rtc join admission', () => {
  test('bad, tampered and revoked tokens: invalid_token, closed, nobody in the SFU', async (t) => {
    const { base, stream, conns, server } = await voiceSetup(t);
    const alice = await newUser(base, 'alice');
    const join = await joinVoice(alice.client, stream);
    const [h, p, s] = join.token.split('.');
    const tampered = `${h}.${p}.${s.slice(0, -2)}${s.endsWith('AA') ? 'BB' : 'AA'}`;
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: '1' })).toString('base64url')}.${s}`;
    for (const token of ['garbage', tampered, forged]) {
      const rtc = await rtcJoin(base, token);
      conns.push(rtc);
      assertRtcError(rtc.reply, 'invalid_token');
      await withTimeout(rtc.closed, 3_000, 'close after invalid_token');
    }
    // Revoked: leave, then the old token.
    assert.equal((await alice.client.post(voicePath(stream, 'leave'), {})).status, 200);
    const revoked = await rtcJoin(base, join.token);
    conns.push(revoked);
    assertRtcError(revoked.reply, 'invalid_token');
    await withTimeout(revoked.closed, 3_000, 'close after a revoked token');
    assert.equal(await sfuParticipants(base), 0);
    assert.equal(openRows(server.db, stream, alice.user.id), 0);
  });

  test('one live media connection per token: the second gets token_in_use, the first lives on', async (t) => {
    const { base, stream, conns } = await voiceSetup(t);
    const alice = await newUser(base, 'alice');
    const { join, rtc } = await joinWithMedia(alice.client, stream);
    conns.push(rtc);
    const second = await rtcJoin(base, join.token);
    conns.push(second);
    assertRtcError(second.reply, 'token_in_use');
    await withTimeout(second.closed, 3_000, 'close after token_in_use');
    await barrier(rtc);
    assert.equal(await sfuParticipants(base), 1);
    // Once the first is gone, the token may be used again (a reconnect).
    rtc.close();
    await waitParticipants(base, 0);
    const again = await rtcJoin(base, join.token);
    conns.push(again);
    assert.equal(again.reply.type, 'joined', describeMessages([again.reply]));
  });

  test("a kicked user's token is refused on /rtc, and REST join says kicked", async (t) => {
    const { base, stream, host, conns, server } = await voiceSetup(t);
    const alice = await newUser(base, 'alice');
    const join = await joinVoice(alice.client, stream);
    const kick = await host.client.post(voicePath(stream, `members/${alice.user.id}/kick`), {});
    assert.equal(kick.status, 200, kick.text);
    const rtc = await rtcJoin(base, join.token);
    conns.push(rtc);
    assert.equal(rtc.reply.type, 'error');
    assert.ok(['invalid_token', 'kicked'].includes(rtc.reply.code), describeMessages([rtc.reply]));
    assertCleanMessage(rtc.reply.message);
    await withTimeout(rtc.closed, 3_000, 'close after a kicked token');
    assertError(await alice.client.post(voicePath(stream, 'join'), {}), 403, 'kicked');
    assert.equal(await sfuParticipants(base), 0);
    assert.equal(
      server.db.count('voice_kicks', `stream_id = ${stream} AND user_id = ${alice.user.id}`),
      1,
    );
  });

  test('a token of a stream whose voice was turned off is refused', async (t) => {
    const { base, stream, admin, conns } = await voiceSetup(t);
    const alice = await newUser(base, 'alice');
    const join = await joinVoice(alice.client, stream);
    const off = await admin.patch(`/api/streams/${stream}`, { voice_enabled: false });
    assert.equal(off.status, 200, off.text);
    const rtc = await rtcJoin(base, join.token);
    conns.push(rtc);
    assert.equal(rtc.reply.type, 'error');
    assert.ok(
      ['invalid_token', 'voice_disabled'].includes(rtc.reply.code),
      describeMessages([rtc.reply]),
    );
    assertCleanMessage(rtc.reply.message);
    await withTimeout(rtc.closed, 3_000, 'close after voice off');
    assert.equal(await sfuParticipants(base), 0);
  });

  test(
    'a valid token without a seat in the roster: not_joined (Redis)',
    { skip: !kWithRedis && 'needs CHORUS_TEST_REDIS_URL' },
    async (t) => {
      const { base, stream, conns, server } = await voiceSetup(t);
      const alice = await newUser(base, 'alice');
      const join = await joinVoice(alice.client, stream);
      const url = redisUrlOf(server);
      assert.ok(url, 'the server runs on Redis');
      // The seat goes, the token stays.
      assert.equal(redisCli(url, 'HDEL', `voice:rooms:${stream}`, `m:${alice.user.id}`), '1');
      redisCli(url, 'ZREM', `voice:presence:${stream}`, String(alice.user.id));
      const rtc = await rtcJoin(base, join.token);
      conns.push(rtc);
      assertRtcError(rtc.reply, 'not_joined');
      await withTimeout(rtc.closed, 3_000, 'close after not_joined');
      assert.equal(await sfuParticipants(base), 0);
    },
  );

  test(
    'Redis down: /rtc join gets state_unavailable without backend text (Redis)',
    { skip: !kWithRedis && 'needs CHORUS_TEST_REDIS_URL' },
    async (t) => {
      const redis = new PrivateRedis();
      await redis.start();
      const dep = new Deployment({ redisUrl: redis.url, args: kArgs });
      const conns = [];
      t.after(async () => {
        destroyAll(conns);
        await dep.destroy();
        await redis.destroy();
      });
      const base = await dep.start();
      const admin = await adminClient(base);
      const stream = await createVoiceStream(admin);
      const alice = await newUser(base, 'alice');
      const join = await joinVoice(alice.client, stream);
      await redis.stop();
      const rtc = await rtcJoin(base, join.token);
      conns.push(rtc);
      assertRtcError(rtc.reply, 'state_unavailable');
      await withTimeout(rtc.closed, 5_000, 'close after state_unavailable');
      assert.equal(await sfuParticipants(base), 0);
    },
  );
});

describe('leaving ends media within 1 s', () => {
  /** Alice and Bob joined with media; returns their connections. */
  async function twoInRoom(ctx) {
    const alice = await newUser(ctx.base, 'alice');
    const bob = await newUser(ctx.base, 'bob');
    const a = await joinWithMedia(alice.client, ctx.stream);
    const b = await joinWithMedia(bob.client, ctx.stream);
    ctx.conns.push(a.rtc, b.rtc);
    await waitParticipants(ctx.base, 2);
    return { alice, bob, a, b };
  }

  test('REST leave: closed "left", socket closed, SFU participant gone, row closed', async (t) => {
    const ctx = await voiceSetup(t);
    const { alice, a, b } = await twoInRoom(ctx);
    const start = Date.now();
    const res = await alice.client.post(voicePath(ctx.stream, 'leave'), {});
    assert.equal(res.status, 200, res.text);
    await assertMediaEnded(
      ctx.base,
      a.rtc,
      start,
      (m) => m.type === 'closed' && m.reason === 'left',
      'REST leave',
      1,
    );
    const [leftAt, reason] = lastRow(ctx.server.db, ctx.stream, alice.user.id);
    assert.notEqual(leftAt, 'NULL');
    assert.equal(reason, 'leave');
    await barrier(b.rtc); // the other member is untouched
  });

  test('page-hide leave: closed "left" at once; the seat goes after the rejoin grace', async (t) => {
    const ctx = await voiceSetup(t, ['--voice-rejoin-grace', '2', '--voice-sweep-interval', '1']);
    const { alice, a, b } = await twoInRoom(ctx);
    const start = Date.now();
    const res = await alice.client.post(voicePath(ctx.stream, 'leave'), { reason: 'page_hide' });
    assert.equal(res.status, 200, res.text);
    await assertMediaEnded(
      ctx.base,
      a.rtc,
      start,
      (m) => m.type === 'closed' && m.reason === 'left',
      'page-hide leave',
      1,
    );
    await waitFor(() => openRows(ctx.server.db, ctx.stream, alice.user.id) === 0, {
      timeoutMs: 8_000,
      what: 'the page-hidden seat closed after the grace',
    });
    assert.notEqual(lastRow(ctx.server.db, ctx.stream, alice.user.id)[0], 'NULL');
    await barrier(b.rtc);
  });

  test('logout of the session that joined: closed "logout"; another session\'s logout does not end it', async (t) => {
    const ctx = await voiceSetup(t);
    const { alice, a, b } = await twoInRoom(ctx);
    // A second session of the same user signs out: the media of the first is untouched.
    const other = new Client(ctx.base);
    await other.login(alice.username, alice.password);
    assert.equal((await other.logout()).status, 204);
    await barrier(a.rtc);
    assert.equal(await sfuParticipants(ctx.base), 2);
    const start = Date.now();
    const res = await alice.client.logout();
    assert.equal(res.status, 204, res.text);
    await assertMediaEnded(
      ctx.base,
      a.rtc,
      start,
      (m) => m.type === 'closed' && m.reason === 'logout',
      'logout',
      1,
    );
    await waitFor(() => openRows(ctx.server.db, ctx.stream, alice.user.id) === 0, {
      timeoutMs: 3_000,
      what: 'voice_members row closed after logout',
    });
    // The room token died with the session.
    const again = await rtcJoin(ctx.base, a.join.token);
    ctx.conns.push(again);
    assert.equal(again.reply.type, 'error', describeMessages([again.reply]));
    await barrier(b.rtc);
  });

  test('kick by the stream host: kicked "kick", socket closed, row closed, ban recorded', async (t) => {
    const ctx = await voiceSetup(t);
    const { alice, a, b } = await twoInRoom(ctx);
    const start = Date.now();
    const res = await ctx.host.client.post(
      voicePath(ctx.stream, `members/${alice.user.id}/kick`),
      {},
    );
    assert.equal(res.status, 200, res.text);
    await assertMediaEnded(
      ctx.base,
      a.rtc,
      start,
      (m) => m.type === 'kicked' && m.reason === 'kick',
      'kick',
      1,
    );
    const [leftAt, reason] = lastRow(ctx.server.db, ctx.stream, alice.user.id);
    assert.notEqual(leftAt, 'NULL');
    assert.equal(reason, 'kick');
    assert.equal(
      ctx.server.db.count(
        'voice_kicks',
        `stream_id = ${ctx.stream} AND user_id = ${alice.user.id}`,
      ),
      1,
    );
    await barrier(b.rtc);
  });

  test('kick by an admin ends the media the same way', async (t) => {
    const ctx = await voiceSetup(t);
    const { alice, a } = await twoInRoom(ctx);
    const start = Date.now();
    const res = await ctx.admin.post(voicePath(ctx.stream, `members/${alice.user.id}/kick`), {});
    assert.equal(res.status, 200, res.text);
    await assertMediaEnded(
      ctx.base,
      a.rtc,
      start,
      (m) => m.type === 'kicked' && m.reason === 'kick',
      'admin kick',
      1,
    );
    assert.equal(openRows(ctx.server.db, ctx.stream, alice.user.id), 0);
  });

  test('voice turned off: every member gets closed "voice_disabled"; rows closed', async (t) => {
    const ctx = await voiceSetup(t);
    const { alice, bob, a, b } = await twoInRoom(ctx);
    const start = Date.now();
    const res = await ctx.admin.patch(`/api/streams/${ctx.stream}`, { voice_enabled: false });
    assert.equal(res.status, 200, res.text);
    const final = (m) => m.type === 'closed' && m.reason === 'voice_disabled';
    await assertMediaEnded(ctx.base, a.rtc, start, final, 'voice off (alice)', 0);
    await assertMediaEnded(ctx.base, b.rtc, start, final, 'voice off (bob)', 0);
    for (const u of [alice, bob]) {
      assert.equal(openRows(ctx.server.db, ctx.stream, u.user.id), 0);
      assert.notEqual(lastRow(ctx.server.db, ctx.stream, u.user.id)[0], 'NULL');
    }
  });

  test('presence timeout (no REST heartbeats; /rtc without media is no presence): closed "timeout"', async (t) => {
    const ctx = await voiceSetup(t, [
      '--voice-presence-timeout',
      '2',
      '--voice-sweep-interval',
      '1',
    ]);
    const alice = await newUser(ctx.base, 'alice');
    const es = openEvents(ctx.admin, voicePath(ctx.stream, 'events'));
    t.after(() => es.close?.());
    await es.ready;
    await es.waitFor((e) => e.event === 'hello', 'hello');
    const { rtc } = await joinWithMedia(alice.client, ctx.stream);
    ctx.conns.push(rtc);
    const left = await es.waitFor(
      (e) => e.event === 'member_left' && e.json?.user_id === alice.user.id,
      'member_left of the timed-out member',
      12_000,
    );
    assert.equal(left.json.reason, 'timeout');
    const evictedAt = Date.now();
    await assertMediaEnded(
      ctx.base,
      rtc,
      evictedAt,
      (m) => m.type === 'closed' && m.reason === 'timeout',
      'presence eviction',
      0,
    );
    const [leftAt, reason] = lastRow(ctx.server.db, ctx.stream, alice.user.id);
    assert.notEqual(leftAt, 'NULL');
    assert.equal(reason, 'timeout');
  });
});

describe(
  'leaving ends media with the state backend down (Redis)',
  { skip: !kWithRedis && 'needs CHORUS_TEST_REDIS_URL' },
  () => {
    test('voice turned off while Redis is down: either refused (voice stays on) or the media ends within 1 s', async (t) => {
      const redis = new PrivateRedis();
      await redis.start();
      const dep = new Deployment({ redisUrl: redis.url, args: kArgs });
      const conns = [];
      t.after(async () => {
        destroyAll(conns);
        await dep.destroy();
        await redis.destroy();
      });
      const base = await dep.start();
      const admin = await adminClient(base);
      const stream = await createVoiceStream(admin);
      const alice = await newUser(base, 'alice');
      const { rtc } = await joinWithMedia(alice.client, stream);
      conns.push(rtc);
      await redis.stop();
      const start = Date.now();
      const res = await admin.patch(`/api/streams/${stream}`, { voice_enabled: false });
      if (res.status === 200) {
        assert.equal(res.body.voice_enabled, false);
        // Voice is off for good (the database says so): the media must not outlive it.
        await assertMediaEnded(
          base,
          rtc,
          start,
          (m) => m.type === 'closed' && m.reason === 'voice_disabled',
          'voice off with Redis down',
          0,
        );
      } else {
        assertError(res, 503, 'state_unavailable');
        assert.equal(dep.db.scalar(`SELECT voice_enabled FROM streams WHERE id = ${stream}`), '1');
        await barrier(rtc);
      }
    });
  },
);

describe('/rtc message budget and validation', () => {
  test('within the burst every ping is answered; 200 at once: rate_limited, then the server closes', async (t) => {
    const ctx = await voiceSetup(t);
    const alice = await newUser(ctx.base, 'alice');
    const { rtc } = await joinWithMedia(alice.client, ctx.stream);
    ctx.conns.push(rtc);
    // 30 (< burst 40) at once: all answered, no refusal.
    for (let i = 0; i < 30; i += 1) rtc.send({ type: 'ping', t: i });
    await rtc.waitFor((m) => m.type === 'pong' && m.t === 29, 5_000, 'the 30th pong');
    assert.equal(rtc.messages.filter((m) => m.type === 'pong').length, 30);
    assert.equal(
      rtc.messages.filter((m) => m.type === 'error').length,
      0,
      describeMessages(rtc.messages),
    );

    // Another member floods: 200 at once.
    const flooder = await newUser(ctx.base, 'flood');
    const f = await joinWithMedia(flooder.client, ctx.stream);
    ctx.conns.push(f.rtc);
    await waitParticipants(ctx.base, 2);
    const start = Date.now();
    for (let i = 0; i < 200; i += 1) f.rtc.send({ type: 'ping', t: 1000 + i });
    const closed = await withTimeout(f.rtc.closed, 5_000, 'the server closing a flooding client');
    assert.notEqual(closed.by, 'error', closed.reason);
    const pongs = f.rtc.messages.filter((m) => m.type === 'pong').length;
    const limited = f.rtc.messages.filter((m) => m.type === 'error' && m.code === 'rate_limited');
    const elapsedS = (closed.at - start) / 1000;
    assert.ok(
      limited.length >= 1,
      `no rate_limited: ${describeMessages(f.rtc.messages.slice(0, 5))}`,
    );
    for (const m of limited) assertCleanMessage(m.message);
    // Burst 40 plus what 20/s refills while the flood lasted.
    assert.ok(
      pongs >= 1 && pongs <= 40 + Math.ceil(20 * elapsedS) + 1,
      `${pongs} pongs in ${elapsedS} s`,
    );
    assert.ok(
      pongs + limited.length < 200,
      'every flooded message was answered: never closed early',
    );
    // After the join reply, only pongs and rate_limited errors (plus roster news).
    const unexpected = f.rtc.messages
      .slice(1)
      .filter((m) => m.type !== 'pong' && m.code !== 'rate_limited' && m.type !== 'member');
    assert.deepEqual(unexpected, [], describeMessages(unexpected));
    await waitParticipants(ctx.base, 1, { what: 'the flooder removed from the SFU' });
    // The well-behaved member is untouched.
    await barrier(rtc);
  });

  test('ping.t must be a number: string/object/array → invalid_argument (not fatal); a number is echoed', async (t) => {
    const ctx = await voiceSetup(t);
    const alice = await newUser(ctx.base, 'alice');
    const { rtc } = await joinWithMedia(alice.client, ctx.stream);
    ctx.conns.push(rtc);
    for (const bad of ['x', { a: 1 }, [1], true, null]) {
      const before = rtc.messages.length;
      rtc.send({ type: 'ping', t: bad });
      const answer = await rtc.waitFor(
        (m) => rtc.messages.indexOf(m) >= before && (m.type === 'error' || m.type === 'pong'),
        3_000,
        `answer to t=${JSON.stringify(bad)}`,
      );
      assertRtcError(answer, 'invalid_argument');
    }
    rtc.send({ type: 'ping', t: 5 });
    const pong = await rtc.waitFor((m) => m.type === 'pong', 3_000, 'pong for t=5');
    assert.equal(pong.t, 5);
    assert.equal(typeof pong.server_ms, 'number');
    rtc.send({ type: 'ping' });
    await rtc.waitFor((m) => m.type === 'pong' && m.t === undefined, 3_000, 'pong without t');
    assert.equal(rtc.closedAt, null, 'closed after a bad ping');
    assert.equal(await sfuParticipants(ctx.base), 1);
  });

  test('mute toggles: beyond 5/s rate_limited; only real changes bump the version', async (t) => {
    const ctx = await voiceSetup(t);
    const alice = await newUser(ctx.base, 'alice');
    const { rtc } = await joinWithMedia(alice.client, ctx.stream);
    ctx.conns.push(rtc);
    const state = async () => (await alice.client.get(voicePath(ctx.stream, 'state'))).body;
    const v0 = (await state()).version;
    // 20 alternating toggles at once (message budget 40 is not the limit here).
    for (let i = 0; i < 20; i += 1) rtc.send({ type: 'mute', muted: i % 2 === 0 });
    await barrier(rtc);
    const limited = rtc.messages.filter((m) => m.type === 'error' && m.code === 'rate_limited');
    const others = rtc.messages.filter((m) => m.type === 'error' && m.code !== 'rate_limited');
    assert.deepEqual(others, []);
    assert.ok(limited.length >= 10, `only ${limited.length} of 20 instant toggles refused`);
    const bumps = (await state()).version - v0;
    assert.ok(
      bumps >= 1 && bumps <= 20 - limited.length,
      `${bumps} version bumps for ${20 - limited.length} accepted toggles`,
    );
    assert.equal(rtc.closedAt, null);
  });

  test('10 × mute:true in a row: the version grows by exactly 1, one member_updated', async (t) => {
    // A mute budget that lets all ten through: what is tested is that repeats write nothing.
    const ctx = await voiceSetup(t, ['--rtc-mute-rate', '100']);
    const alice = await newUser(ctx.base, 'alice');
    const { rtc } = await joinWithMedia(alice.client, ctx.stream);
    ctx.conns.push(rtc);
    const es = openEvents(ctx.admin, voicePath(ctx.stream, 'events'));
    t.after(() => es.close?.());
    await es.ready;
    await es.waitFor((e) => e.event === 'hello', 'hello');
    const v0 = (await alice.client.get(voicePath(ctx.stream, 'state'))).body.version;
    for (let i = 0; i < 10; i += 1) rtc.send({ type: 'mute', muted: true });
    await barrier(rtc);
    assert.deepEqual(
      rtc.messages.filter((m) => m.type === 'error'),
      [],
      'a toggle was refused',
    );
    const st = (await alice.client.get(voicePath(ctx.stream, 'state'))).body;
    assert.equal(st.version - v0, 1, `version ${v0} → ${st.version}`);
    const me = st.roster.find((m) => m.user_id === alice.user.id);
    assert.equal(me.muted, true);
    assert.equal(me.muted_by_host, false);
    // Barrier on the event stream: a later event proves all earlier ones were delivered.
    const bob = await newUser(ctx.base, 'bob');
    await joinVoice(bob.client, ctx.stream);
    await es.waitFor(
      (e) => e.event === 'member_joined' && e.json?.member?.user_id === bob.user.id,
      'bob joined',
    );
    const updates = es.events.filter(
      (e) => e.event === 'member_updated' && e.json?.member?.user_id === alice.user.id,
    );
    assert.equal(updates.length, 1, JSON.stringify(updates));
    assert.equal(updates[0].json.member.muted, true);
  });
});

describe('/rtc slow reader', () => {
  test('a client that reads is never dropped, even at the smallest queue cap (1024 bytes)', async (t) => {
    // The join reply (SDP answer, slots, members) alone is larger than the cap: a cap on the
    // backlog must not refuse the one message a reading client is waiting for.
    const ctx = await voiceSetup(t, ['--rtc-max-queued-bytes', '1024']);
    const alice = await newUser(ctx.base, 'alice');
    const { rtc } = await joinWithMedia(alice.client, ctx.stream);
    ctx.conns.push(rtc);
    for (let i = 0; i < 20; i += 1) await barrier(rtc, i);
    assert.equal(rtc.closedAt, null);
    assert.equal(await sfuParticipants(ctx.base), 1);
  });

  test('a client that stops reading is dropped (queue capped in bytes, write deadline)', async (t) => {
    const ctx = await voiceSetup(t, [
      '--rtc-message-rate',
      '5000',
      '--rtc-message-burst',
      '5000',
      '--rtc-max-queued-bytes',
      '4096',
      '--rtc-write-timeout',
      '2',
    ]);
    const alice = await newUser(ctx.base, 'alice');
    const { rtc } = await joinWithMedia(alice.client, ctx.stream);
    ctx.conns.push(rtc);
    assert.equal(await sfuParticipants(ctx.base), 1);
    rtc.pause();
    // Pings in rounds of 200 (under the 5,000/s budget) while the pongs pile up unread, until
    // the server has dropped the participant.
    let sent = 0;
    await waitFor(
      async () => {
        for (let i = 0; i < 200; i += 1) rtc.send({ type: 'ping', t: sent++ });
        return (await sfuParticipants(ctx.base)) === 0;
      },
      { timeoutMs: 20_000, intervalMs: 50, what: 'the slow reader removed from the SFU' },
    );
    rtc.resume();
    await withTimeout(rtc.closed, 10_000, "the slow reader's socket closed");
    // It was dropped as a slow reader, not for its message budget.
    const wsLog = fs
      .readdirSync(ctx.server.logDir)
      .filter((f) => f.endsWith('.log'))
      .map((f) => fs.readFileSync(path.join(ctx.server.logDir, f), 'utf8'))
      .join('\n');
    assert.match(wsLog, /rtc client too slow|rtc write timed out/, 'no slow-reader log line');
    assert.doesNotMatch(wsLog, /over its message budget/);
    // The server still serves others.
    assert.equal((await request(ctx.base, 'GET', '/healthz')).status, 200);
  });
});
