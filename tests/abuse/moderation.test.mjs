// Issue 8, items 3 and 5 — moderation under abuse, against a real chorusd (SQLite + in-process
// state, or Postgres + Redis when CHORUS_TEST_POSTGRES_URL / CHORUS_TEST_REDIS_URL are set):
// - a self-unmute never lifts a host mute (`muted_by_host`), on the live socket and after a
//   reconnect, and the roster agrees;
// - rights are decided from the stream's current host in the database: a host demoted by an
//   admin gets 403 and changes nothing (no mute, no voice_kicks row, no audit row);
// - a kick holds while the state backend fails half-way (Redis stopped, or paused): the target's
//   media ends at once, the ban is durable, the roster catches up once Redis is back, and the
//   old room token is refused.
// Each test starts its own chorusd and users.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertError } from '../api/lib/checks.mjs';
import { adminClient, newUser, request, waitFor, withTimeout } from '../api/lib/index.mjs';
import { Deployment, PrivateRedis } from '../api/lib/voice-harness.mjs';
import {
  assertCleanMessage,
  assertRtcError,
  createVoiceStream,
  describeMessages,
  destroyAll,
  joinVoice,
  joinWithMedia,
  redisCli,
  rtcJoin,
  serverFor,
  sfuParticipants,
  waitParticipants,
} from './lib/rtc.mjs';

const kWithRedis = Boolean(process.env.CHORUS_TEST_REDIS_URL);
const kArgs = ['--rtc-consent-timeout', '600']; // no ICE runs: consent must not expire mid-test
const kEndMs = 1_000;
const voicePath = (id, rest) => `/api/voice/streams/${id}/${rest}`;

/** Sends a ping and waits for its pong: every message sent before it has been handled. */
async function barrier(rtc, t = Math.floor(Math.random() * 1e9)) {
  rtc.send({ type: 'ping', t });
  await rtc.waitFor((m) => m.type === 'pong' && m.t === t, 5_000, `pong ${t}`);
}

/** The roster entry of `userId` in GET …/state (undefined when absent). */
async function rosterEntry(client, stream, userId) {
  const res = await client.get(voicePath(stream, 'state'));
  assert.equal(res.status, 200, res.text);
  return res.body.roster.find((m) => m.user_id === userId);
}

describe('host mute vs self-unmute', () => {
  test('a self-unmute never lifts a host mute: muted_by_host, roster agrees, survives a reconnect', async (t) => {
    const server = await serverFor(t, { args: kArgs });
    const base = server.baseUrl;
    const conns = [];
    t.after(() => destroyAll(conns));
    const admin = await adminClient(base);
    const host = await newUser(base, 'host');
    const alice = await newUser(base, 'alice');
    const stream = await createVoiceStream(admin, { hostId: host.user.id });
    const a = await joinWithMedia(alice.client, stream);
    conns.push(a.rtc);

    const muted = await host.client.post(voicePath(stream, `members/${alice.user.id}/mute`), {});
    assert.equal(muted.status, 200, muted.text);
    await a.rtc.waitFor(
      (m) =>
        m.type === 'muted' && m.user_id === alice.user.id && m.muted === true && m.by === 'host',
      3_000,
      "the host mute on alice's socket",
    );
    const audits = server.db.count('audit_log');

    // Self-unmute, also after a self-mute: refused every time, nothing written.
    for (const sequence of [[false], [true, false], [false]]) {
      const before = a.rtc.messages.length;
      for (const m of sequence) a.rtc.send({ type: 'mute', muted: m });
      await barrier(a.rtc);
      const errors = a.rtc.messages.slice(before).filter((m) => m.type === 'error');
      assert.equal(errors.length, 1, JSON.stringify(errors));
      assertRtcError(errors[0], 'muted_by_host');
      const entry = await rosterEntry(alice.client, stream, alice.user.id);
      assert.equal(entry.muted, true, JSON.stringify(entry));
      assert.equal(entry.muted_by_host, true, JSON.stringify(entry));
    }
    assert.equal(a.rtc.closedAt, null, 'muted_by_host closed the socket');
    assert.equal(
      a.rtc.messages.some(
        (m) => m.type === 'muted' && m.user_id === alice.user.id && m.muted === false,
      ),
      false,
      'the SFU unmuted alice',
    );
    assert.equal(server.db.count('audit_log'), audits);

    // Reconnect: a new REST join and /rtc join keep the host mute.
    a.rtc.close();
    await waitParticipants(base, 0);
    const again = await joinVoice(alice.client, stream);
    assert.equal(again.member.muted, true);
    assert.equal(again.member.muted_by_host, true);
    const b = await rtcJoin(base, again.token);
    conns.push(b);
    assert.equal(b.reply.type, 'joined', describeMessages([b.reply]));
    const self = b.reply.members.find((m) => m.user_id === alice.user.id);
    const hostMuted =
      (self?.muted === true && self?.muted_by === 'host') ||
      (await b
        .waitFor(
          (m) => m.type === 'muted' && m.user_id === alice.user.id && m.muted && m.by === 'host',
          3_000,
        )
        .then(
          () => true,
          () => false,
        ));
    assert.ok(hostMuted, `reconnected without the host mute: ${describeMessages(b.messages)}`);
    b.send({ type: 'mute', muted: false });
    assertRtcError(
      await b.waitFor((m) => m.type === 'error', 3_000, 'muted_by_host after reconnect'),
      'muted_by_host',
    );
    const entry = await rosterEntry(alice.client, stream, alice.user.id);
    assert.equal(entry.muted_by_host, true);

    // The host lifts it; then alice's own mute works again.
    const unmuted = await host.client.post(
      voicePath(stream, `members/${alice.user.id}/unmute`),
      {},
    );
    assert.equal(unmuted.status, 200, unmuted.text);
    await b.waitFor(
      (m) => m.type === 'muted' && m.user_id === alice.user.id && m.muted === false,
      3_000,
      'host unmute',
    );
    const before = b.messages.length;
    b.send({ type: 'mute', muted: true });
    await barrier(b);
    assert.deepEqual(
      b.messages.slice(before).filter((m) => m.type === 'error'),
      [],
    );
    const after = await rosterEntry(alice.client, stream, alice.user.id);
    assert.equal(after.muted, true);
    assert.equal(after.muted_by_host, false);
  });
});

describe('authorization from current state', () => {
  test('a host demoted by an admin gets 403 and changes nothing; the new host may moderate', async (t) => {
    const server = await serverFor(t, { args: kArgs });
    const base = server.baseUrl;
    const conns = [];
    t.after(() => destroyAll(conns));
    const admin = await adminClient(base);
    const oldHost = await newUser(base, 'oldhost');
    const newHost = await newUser(base, 'newhost');
    const carol = await newUser(base, 'carol');
    const stream = await createVoiceStream(admin, { hostId: oldHost.user.id });
    const h = await joinWithMedia(oldHost.client, stream);
    assert.equal(h.join.member.role, 'host');
    const c = await joinWithMedia(carol.client, stream);
    conns.push(h.rtc, c.rtc);

    const patched = await admin.patch(`/api/streams/${stream}`, { host_id: newHost.user.id });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.host_id, newHost.user.id);

    const audits = server.db.count('audit_log');
    const kicks = server.db.count('voice_kicks');
    for (const action of ['mute', 'kick', 'unmute']) {
      assertError(
        await oldHost.client.post(voicePath(stream, `members/${carol.user.id}/${action}`), {}),
        403,
      );
    }
    assertError(await oldHost.client.patch(voicePath(stream, 'room'), { max_members: 2 }), 403);
    // Nothing changed: carol unmuted and present, no ban, no audit, her media untouched.
    const entry = await rosterEntry(carol.client, stream, carol.user.id);
    assert.ok(entry, 'carol left the roster');
    assert.equal(entry.muted, false);
    assert.equal(server.db.count('voice_kicks'), kicks);
    assert.equal(server.db.count('audit_log'), audits);
    assert.equal(
      server.db.count(
        'voice_members',
        `stream_id = ${stream} AND user_id = ${carol.user.id} AND left_at IS NULL`,
      ),
      1,
    );
    await barrier(c.rtc);
    assert.equal(
      c.rtc.messages.some((m) => m.type === 'muted' || m.type === 'kicked'),
      false,
    );
    assert.equal(await sfuParticipants(base), 2);

    // The current host (not even in the call) may moderate.
    const mute = await newHost.client.post(voicePath(stream, `members/${carol.user.id}/mute`), {});
    assert.equal(mute.status, 200, mute.text);
    await c.rtc.waitFor(
      (m) => m.type === 'muted' && m.user_id === carol.user.id && m.by === 'host',
      3_000,
      'new host mute',
    );
    const start = Date.now();
    const kick = await newHost.client.post(voicePath(stream, `members/${carol.user.id}/kick`), {});
    assert.equal(kick.status, 200, kick.text);
    await c.rtc.waitFor((m) => m.type === 'kicked', 3_000, 'kicked by the new host');
    const closed = await withTimeout(c.rtc.closed, 3_000, "carol's socket closed");
    assert.ok(closed.at - start <= kEndMs, `closed ${closed.at - start} ms after the kick`);
    assert.equal(
      server.db.count('voice_kicks', `stream_id = ${stream} AND user_id = ${carol.user.id}`),
      1,
    );
  });
});

describe(
  'kick with the state backend failing half-way (Redis)',
  { skip: !kWithRedis && 'needs CHORUS_TEST_REDIS_URL' },
  () => {
    /** A deployment on a Redis of the test's own; host, target alice and bystander bob joined. */
    async function setup(t, args) {
      const redis = new PrivateRedis();
      await redis.start();
      const dep = new Deployment({ redisUrl: redis.url, args: [...kArgs, ...args] });
      const conns = [];
      t.after(async () => {
        destroyAll(conns);
        await dep.destroy();
        await redis.destroy();
      });
      const base = await dep.start();
      const admin = await adminClient(base);
      const host = await newUser(base, 'host');
      const alice = await newUser(base, 'alice');
      const bob = await newUser(base, 'bob');
      const stream = await createVoiceStream(admin, { hostId: host.user.id });
      const a = await joinWithMedia(alice.client, stream);
      const b = await joinWithMedia(bob.client, stream);
      conns.push(a.rtc, b.rtc);
      await waitParticipants(base, 2);
      return { redis, dep, base, admin, host, alice, bob, stream, a, b, conns };
    }

    /** The kick's durable part and the media part, checked right after a 200. */
    async function assertKickHeld(ctx, start) {
      const { dep, stream, alice, a, base } = ctx;
      await a.rtc.waitFor(
        (m) => m.type === 'kicked',
        3_000,
        'kicked while the state backend fails',
      );
      const closed = await withTimeout(a.rtc.closed, 3_000, 'target socket closed');
      assert.ok(
        closed.at - start <= kEndMs,
        `target socket closed ${closed.at - start} ms after the kick was sent`,
      );
      await waitParticipants(base, 1, { timeoutMs: 3_000, what: 'the target gone from the SFU' });
      assert.equal(
        dep.db.count('voice_kicks', `stream_id = ${stream} AND user_id = ${alice.user.id}`),
        1,
      );
      assert.equal(
        dep.db.count(
          'voice_members',
          `stream_id = ${stream} AND user_id = ${alice.user.id} AND left_at IS NULL`,
        ),
        0,
      );
    }

    test('Redis stopped: 200, kicked within 1 s, ban durable; Redis back: roster without the target, old token refused', async (t) => {
      const ctx = await setup(t, ['--voice-sweep-interval', '1']);
      const { redis, base, host, alice, stream, a, conns } = ctx;
      await redis.stop();
      const start = Date.now();
      const kick = await host.client.post(voicePath(stream, `members/${alice.user.id}/kick`), {});
      assert.equal(kick.status, 200, kick.text);
      assert.equal(kick.body.kicked, true);
      await assertKickHeld(ctx, start);
      assert.equal(ctx.b.rtc.closedAt, null, 'the bystander lost media');

      await redis.start();
      await waitFor(async () => (await request(base, 'GET', '/readyz')).status === 200, {
        timeoutMs: 15_000,
        what: '/readyz 200 after Redis returns',
      });
      await waitFor(
        async () => {
          const res = await host.client.get(voicePath(stream, 'state'));
          return res.status === 200 && !res.body.roster.some((m) => m.user_id === alice.user.id);
        },
        { timeoutMs: 5_000, what: 'the roster without the kicked user' },
      );
      const old = await rtcJoin(base, a.join.token);
      conns.push(old);
      assert.equal(old.reply.type, 'error', describeMessages([old.reply]));
      assert.ok(
        ['invalid_token', 'kicked'].includes(old.reply.code),
        describeMessages([old.reply]),
      );
      assertCleanMessage(old.reply.message);
      await withTimeout(old.closed, 3_000, 'old token connection closed');
      assertError(await alice.client.post(voicePath(stream, 'join'), {}), 403, 'kicked');
    });

    test('Redis paused mid-kick (token still in Redis): 200, media ends, the old token is refused `kicked`', async (t) => {
      // A long sweep interval: the refusal must come from the durable ban, not from the repair.
      const ctx = await setup(t, ['--voice-sweep-interval', '60']);
      const { redis, base, host, alice, stream, a, conns } = ctx;
      // Every command of every client waits 3 s: longer than chorusd's 2 s command timeout.
      assert.equal(redisCli(redis.url, 'CLIENT', 'PAUSE', '3000', 'ALL'), 'OK');
      const start = Date.now();
      const kick = await host.client.post(voicePath(stream, `members/${alice.user.id}/kick`), {});
      assert.equal(kick.status, 200, kick.text);
      await assertKickHeld(ctx, start);
      // Redis answers again, with the token and the seat still there.
      await waitFor(() => redisCli(redis.url, 'PING') === 'PONG', {
        timeoutMs: 10_000,
        what: 'Redis unpaused',
      });
      const old = await rtcJoin(base, a.join.token);
      conns.push(old);
      assertRtcError(old.reply, 'kicked');
      await withTimeout(old.closed, 3_000, 'old token connection closed');
      assertError(await alice.client.post(voicePath(stream, 'join'), {}), 403, 'kicked');
      assert.equal(await sfuParticipants(base), 1);
    });
  },
);
