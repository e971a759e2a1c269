// Issue 10, stage and moderation through the API (contract: /work/contract-stage.md, docs/api.md):
// room fields and PATCH …/room, moderators per stream, the speaker limit (REST and /rtc), stage
// mode (listeners, hands, speak), slow mode and the mute-toggle bucket, kicks and lifting them,
// the moderation log, voice off / stream delete ending the call, and state surviving a chorusd
// restart. Every refusal is checked to change nothing (database and roster). Runs on SQLite +
// in-process state by default, on Postgres / Redis when CHORUS_TEST_POSTGRES_URL /
// CHORUS_TEST_REDIS_URL are set.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { joinWithMedia, rtcJoin } from '../abuse/lib/rtc.mjs';
import { assertError } from './lib/checks.mjs';
import { adminClient, claimRedisDb, newUser, waitFor } from './lib/index.mjs';
import { Deployment, openEvents, PrivateRedis } from './lib/voice-harness.mjs';

// No ICE runs in these tests: keep consent expiry from removing /rtc participants mid-test. The
// per-socket mute budget is lifted so that the state backend's bucket is what refuses.
const kArgs = [
  '--voice-join-rate', '500',
  '--rtc-consent-timeout', '600',
  '--rtc-mute-rate', '100',
  '--voice-mute-toggle-rate', '4',
  '--rtc-audio-slots', '3',
];

const voicePath = (id, rest) => `/api/voice/streams/${id}/${rest}`;
// A DELETE passes the CSRF rule with X-Requested-With (it has no JSON body).
const del = (client, path) => client.request('DELETE', path, { headers: { 'X-Requested-With': 'test' } });

describe('stage and moderation', () => {
  let dep;
  let redisClaim = null;
  let base;
  let admin;
  let host;
  const conns = [];
  const listeners = [];

  const newStream = async (title = 'stage test') => {
    const created = await admin.post('/api/streams', { title, voice_enabled: true, host_id: host.user.id });
    assert.equal(created.status, 201, created.text);
    return created.body.id;
  };
  const join = async (who, stream) => {
    const res = await who.client.post(voicePath(stream, 'join'), {});
    assert.equal(res.status, 200, res.text);
    return res.body;
  };
  const media = async (who, stream) => {
    const { join: body, rtc } = await joinWithMedia(who.client, stream);
    conns.push(rtc);
    return { body, rtc };
  };
  const state = async (stream) => {
    const res = await admin.get(voicePath(stream, 'state'));
    assert.equal(res.status, 200, res.text);
    return res.body;
  };
  const memberOf = async (stream, userId) => (await state(stream)).roster.find((m) => m.user_id === userId);
  const listen = async (stream) => {
    const s = openEvents(admin, voicePath(stream, 'events'));
    listeners.push(s);
    await s.ready;
    return s;
  };
  const roomRow = (stream) =>
    dep.db.query(`SELECT max_speakers, mode, slow_mode_seconds, pinned FROM voice_rooms WHERE stream_id = ${stream}`);
  /** Sends a ping and waits for its pong: every earlier message has been handled. */
  const barrier = async (rtc) => {
    const t = Math.floor(Math.random() * 1e9);
    rtc.send({ type: 'ping', t });
    await rtc.waitFor((m) => m.type === 'pong' && m.t === t, 5_000, `pong ${t}`);
  };
  /** Sends a mute command and waits for the error it draws (or the barrier, when none). */
  const rtcMute = async (rtc, muted) => {
    const before = rtc.messages.length;
    rtc.send({ type: 'mute', muted });
    await barrier(rtc);
    return rtc.messages.slice(before).find((m) => m.type === 'error') ?? null;
  };

  before(async () => {
    if (process.env.CHORUS_TEST_REDIS_URL) redisClaim = claimRedisDb(process.env.CHORUS_TEST_REDIS_URL);
    dep = new Deployment({ redisUrl: redisClaim?.url ?? null, args: kArgs });
    base = await dep.start();
    admin = await adminClient(base);
    host = await newUser(base, 'host');
  });
  after(async () => {
    for (const c of conns) c?.socket?.destroy();
    for (const l of listeners) l.close?.();
    await dep?.destroy();
    redisClaim?.release();
  });

  test('the room object carries mode, max_speakers, slow_mode_seconds, pinned, slots', async () => {
    const stream = await newStream();
    const alice = await newUser(base, 'alice');
    const body = await join(alice, stream);
    const expected = { mode: 'open', max_speakers: 0, slow_mode_seconds: 0, pinned: [], slots: 3 };
    for (const room of [body.room, (await state(stream)).room]) {
      for (const [k, v] of Object.entries(expected)) assert.deepEqual(room[k], v, k);
      assert.equal(room.host_id, host.user.id);
    }
    assert.equal(body.member.speaker, true);
    assert.equal(body.member.hand_raised_at, null);
    assert.deepEqual(roomRow(stream), [['0', 'open', '0', '[]']]);
  });

  test('PATCH …/room: every field, room_updated, audit; refusals change nothing', async () => {
    const stream = await newStream();
    const alice = await newUser(base, 'alice');
    await join(alice, stream);
    const events = await listen(stream);
    const before = roomRow(stream);
    const version = (await state(stream)).version;
    for (const [body, code] of [
      [{}, 'empty_patch'],
      [{ color: 'red' }, 'unknown_field'],
      [{ mode: 'party' }, 'invalid_argument'],
      [{ mode: 1 }, 'invalid_argument'],
      [{ max_speakers: -1 }, 'invalid_argument'],
      [{ max_speakers: 1001 }, 'invalid_argument'],
      [{ max_speakers: 1.5 }, 'invalid_argument'],
      [{ slow_mode_seconds: 3601 }, 'invalid_argument'],
      [{ max_members: 0 }, 'invalid_argument'],
      [{ pinned: [1, 2, 3, 4] }, 'invalid_argument'], // more than the 3 slots
      [{ pinned: [5, 5] }, 'invalid_argument'],
      [{ pinned: [0] }, 'invalid_argument'],
      [{ pinned: ['7'] }, 'invalid_argument'],
      [{ pinned: 7 }, 'invalid_argument'],
      [{ mode: 'stage', pinned: [1, 1] }, 'invalid_argument'], // one bad field refuses all
    ]) {
      assertError(await host.client.patch(voicePath(stream, 'room'), body), 400, code);
    }
    assertError(await alice.client.patch(voicePath(stream, 'room'), { max_speakers: 2 }), 403, 'forbidden');
    assertError(await host.client.patch(voicePath(999999, 'room'), { max_speakers: 2 }), 404, 'not_found');
    assert.deepEqual(roomRow(stream), before);
    assert.equal((await state(stream)).version, version);
    assert.equal((await alice.client.get(voicePath(stream, 'state'))).body.room.mode, 'open');

    const patch = { max_speakers: 2, slow_mode_seconds: 30, pinned: [alice.user.id, host.user.id], max_members: 9 };
    const res = await host.client.patch(voicePath(stream, 'room'), patch);
    assert.equal(res.status, 200, res.text);
    for (const [k, v] of Object.entries(patch)) assert.deepEqual(res.body[k], v, k);
    assert.equal(res.body.slots, 3);
    const ev = await events.waitFor((e) => e.event === 'room_updated', 'room_updated');
    for (const [k, v] of Object.entries(patch)) assert.deepEqual(ev.json.room[k], v, k);
    assert.deepEqual(roomRow(stream), [['2', 'open', '30', JSON.stringify(patch.pinned)]]);
    const audit = dep.db.query(`SELECT detail FROM audit_log WHERE action = 'voice.room' AND stream_id = ${stream}`);
    assert.equal(audit.length, 1);
    assert.deepEqual(JSON.parse(audit[0][0]), patch);
    // Back to no limit with 0.
    const cleared = await host.client.patch(voicePath(stream, 'room'), { max_speakers: 0, pinned: [] });
    assert.equal(cleared.body.max_speakers, 0);
    assert.deepEqual(cleared.body.pinned, []);
  });

  test('moderators: appointed by the host, effective at once, listed; refusals', async () => {
    const stream = await newStream();
    const [alice, bob, carol] = [await newUser(base, 'alice'), await newUser(base, 'bob'), await newUser(base, 'carol')];
    await join(alice, stream);
    await join(bob, stream);
    const events = await listen(stream);
    // Before: alice cannot moderate.
    assertError(await alice.client.post(voicePath(stream, `members/${bob.user.id}/mute`), {}), 403, 'forbidden');
    const rolePath = (u) => voicePath(stream, `members/${u}/role`);
    for (const [who, target, body, status, code] of [
      [alice, bob.user.id, { role: 'moderator' }, 403, 'forbidden'],
      [host, host.user.id, { role: 'moderator' }, 400, 'invalid_target'],
      [host, 999999, { role: 'moderator' }, 404, 'not_found'],
      [host, alice.user.id, { role: 'admin' }, 400, 'invalid_argument'],
      [host, alice.user.id, {}, 400, 'missing_field'],
      [host, alice.user.id, { role: 'moderator', x: 1 }, 400, 'unknown_field'],
    ]) {
      assertError(await who.client.post(rolePath(target), body), status, code);
    }
    assert.equal(dep.db.count('voice_moderators'), 0);

    const res = await host.client.post(rolePath(alice.user.id), { role: 'moderator' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.user_id, alice.user.id);
    assert.equal(res.body.role, 'moderator');
    assert.equal(res.body.member.role, 'moderator');
    const ev = await events.waitFor((e) => e.event === 'member_updated' && e.json.member.user_id === alice.user.id, 'role update');
    assert.equal(ev.json.member.role, 'moderator');
    assert.equal((await memberOf(stream, alice.user.id)).role, 'moderator');
    assert.equal(dep.db.count('voice_moderators', `stream_id = ${stream} AND user_id = ${alice.user.id} AND appointed_by = ${host.user.id}`), 1);
    // Not present: stored, no member in the answer.
    const off = await host.client.post(rolePath(carol.user.id), { role: 'moderator' });
    assert.equal(off.status, 200);
    assert.equal(off.body.member, undefined);
    const list = await bob.client.get(voicePath(stream, 'moderators'));
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.moderators.map((m) => [m.user_id, m.username, m.appointed_by]).sort(), [
      [alice.user.id, alice.username, host.user.id],
      [carol.user.id, carol.username, host.user.id],
    ].sort());
    assert.ok(Date.parse(list.body.moderators[0].appointed_at));
    // A moderator moderates, but cannot appoint.
    assert.equal((await alice.client.post(voicePath(stream, `members/${bob.user.id}/mute`), {})).status, 200);
    assertError(await alice.client.post(rolePath(bob.user.id), { role: 'moderator' }), 403, 'forbidden');
    // Admins appoint too; demoted, the powers go at once.
    assert.equal((await admin.post(rolePath(carol.user.id), { role: 'member' })).status, 200);
    const demoted = await host.client.post(rolePath(alice.user.id), { role: 'member' });
    assert.equal(demoted.body.member.role, 'member');
    assertError(await alice.client.post(voicePath(stream, `members/${bob.user.id}/unmute`), {}), 403, 'forbidden');
    assert.equal(dep.db.count('voice_moderators', `stream_id = ${stream}`), 0);
    assert.equal(dep.db.count('audit_log', `action = 'voice.role' AND stream_id = ${stream}`), 4);
  });

  test('speaker limit: join at the limit seats muted, REST unmute 409, hosts never refused', async () => {
    const stream = await newStream();
    const [alice, bob] = [await newUser(base, 'alice'), await newUser(base, 'bob')];
    assert.equal((await host.client.patch(voicePath(stream, 'room'), { max_speakers: 1 })).status, 200);
    assert.equal((await join(alice, stream)).member.muted, false);
    assert.equal((await join(bob, stream)).member.muted, true); // the room is at its limit
    const version = (await state(stream)).version;
    assertError(await host.client.post(voicePath(stream, `members/${bob.user.id}/unmute`), {}), 409, 'speaker_limit');
    assert.equal((await memberOf(stream, bob.user.id)).muted, true);
    assert.equal((await state(stream)).version, version);
    // The host is counted but never refused: seated unmuted over the limit.
    assert.equal((await join(host, stream)).member.muted, false);
    // alice mutes (moderator) → a place frees up for bob? No: the host counts.
    assert.equal((await host.client.post(voicePath(stream, `members/${alice.user.id}/mute`), {})).status, 200);
    assertError(await host.client.post(voicePath(stream, `members/${bob.user.id}/unmute`), {}), 409, 'speaker_limit');
    assert.equal((await host.client.patch(voicePath(stream, 'room'), { max_speakers: 2 })).status, 200);
    assert.equal((await host.client.post(voicePath(stream, `members/${bob.user.id}/unmute`), {})).status, 200);
    assert.equal((await memberOf(stream, bob.user.id)).muted, false);
  });

  test('speaker limit under concurrent unmutes: exactly one of six passes', async () => {
    const stream = await newStream();
    const users = [];
    for (let i = 0; i < 6; i += 1) users.push(await newUser(base, `c${i}`));
    for (const u of users) {
      await join(u, stream);
      assert.equal((await host.client.post(voicePath(stream, `members/${u.user.id}/mute`), {})).status, 200);
    }
    assert.equal((await host.client.patch(voicePath(stream, 'room'), { max_speakers: 1 })).status, 200);
    const results = await Promise.all(
      users.map((u) => host.client.post(voicePath(stream, `members/${u.user.id}/unmute`), {})),
    );
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 409, 409, 409, 409, 409]);
    for (const r of results.filter((x) => x.status === 409)) assertError(r, 409, 'speaker_limit');
    const unmuted = (await state(stream)).roster.filter((m) => !m.muted);
    assert.equal(unmuted.length, 1);
  });

  test('speaker limit on /rtc: error speaker_limit, not fatal, nothing written', async () => {
    const stream = await newStream();
    const [alice, bob] = [await newUser(base, 'alice'), await newUser(base, 'bob')];
    assert.equal((await host.client.patch(voicePath(stream, 'room'), { max_speakers: 1 })).status, 200);
    const a = await media(alice, stream);
    const b = await media(bob, stream);
    assert.equal(b.body.member.muted, true);
    const version = (await state(stream)).version;
    const err = await rtcMute(b.rtc, false);
    assert.equal(err?.code, 'speaker_limit', JSON.stringify(b.rtc.messages.slice(-3)));
    assert.equal(b.rtc.closedAt, null);
    assert.equal((await memberOf(stream, bob.user.id)).muted, true);
    assert.equal((await state(stream)).version, version);
    // alice mutes herself: bob's unmute passes.
    assert.equal(await rtcMute(a.rtc, true), null);
    assert.equal(await rtcMute(b.rtc, false), null);
    await waitFor(async () => (await memberOf(stream, bob.user.id)).muted === false, { what: 'bob unmuted' });
  });

  test('stage: listeners, hands, speak, not_a_speaker, switching modes', async () => {
    const stream = await newStream();
    const [alice, bob, carol] = [await newUser(base, 'alice'), await newUser(base, 'bob'), await newUser(base, 'carol')];
    await join(host, stream);
    await join(alice, stream);
    const b = await media(bob, stream);
    const events = await listen(stream);
    // Open room: hands and speak refused.
    assertError(await alice.client.post(voicePath(stream, 'hand'), { raised: true }), 409, 'not_stage');
    assertError(await host.client.post(voicePath(stream, `members/${alice.user.id}/speak`), { allow: true }), 409, 'not_stage');
    // Switch to stage: members become muted listeners, the host stays a speaker.
    const room = await host.client.patch(voicePath(stream, 'room'), { mode: 'stage' });
    assert.equal(room.body.mode, 'stage');
    for (const id of [alice.user.id, bob.user.id]) {
      const ev = await events.waitFor((e) => e.event === 'member_updated' && e.json.member.user_id === id, `listener ${id}`);
      assert.equal(ev.json.member.speaker, false);
      assert.equal(ev.json.member.muted, true);
    }
    const hostEntry = await memberOf(stream, host.user.id);
    assert.equal(hostEntry.speaker, true);
    assert.equal(hostEntry.muted, false);
    // A new member joins as a listener.
    const joined = await join(carol, stream);
    assert.equal(joined.member.speaker, false);
    assert.equal(joined.member.muted, true);
    // The SFU muted bob at once (his connection hears it), then his unmute is refused.
    await b.rtc.waitFor((m) => m.type === 'muted' && m.user_id === bob.user.id && m.muted === true, 5_000, 'bob muted by the switch');
    // A listener's unmute: /rtc and REST refused, nothing written.
    const version = (await state(stream)).version;
    assert.equal((await rtcMute(b.rtc, false))?.code, 'not_a_speaker');
    assert.equal(b.rtc.closedAt, null);
    assertError(await host.client.post(voicePath(stream, `members/${alice.user.id}/unmute`), {}), 409, 'not_a_speaker');
    assert.equal((await state(stream)).version, version);
    // Hands: validation, not_joined, already_speaker, the queue oldest first.
    const outsider = await newUser(base, 'outsider');
    assertError(await outsider.client.post(voicePath(stream, 'hand'), { raised: true }), 409, 'not_joined');
    assertError(await alice.client.post(voicePath(stream, 'hand'), {}), 400, 'missing_field');
    assertError(await alice.client.post(voicePath(stream, 'hand'), { raised: 'yes' }), 400, 'invalid_argument');
    assertError(await host.client.post(voicePath(stream, 'hand'), { raised: true }), 409, 'already_speaker');
    const raisedB = await bob.client.post(voicePath(stream, 'hand'), { raised: true });
    assert.equal(raisedB.status, 200, raisedB.text);
    assert.ok(Date.parse(raisedB.body.member.hand_raised_at));
    await alice.client.post(voicePath(stream, 'hand'), { raised: true });
    const queue = (await state(stream)).roster
      .filter((m) => m.hand_raised_at)
      .sort((x, y) => Date.parse(x.hand_raised_at) - Date.parse(y.hand_raised_at) || 0);
    assert.deepEqual(queue.map((m) => m.user_id).sort(), [alice.user.id, bob.user.id].sort());
    // Speak: refusals, then approve bob, who unmutes over /rtc.
    assertError(await alice.client.post(voicePath(stream, `members/${bob.user.id}/speak`), { allow: true }), 403, 'forbidden');
    assertError(await host.client.post(voicePath(stream, `members/${outsider.user.id}/speak`), { allow: true }), 404, 'not_joined');
    assertError(await host.client.post(voicePath(stream, `members/${bob.user.id}/speak`), { allow: 1 }), 400, 'invalid_argument');
    const ok = await host.client.post(voicePath(stream, `members/${bob.user.id}/speak`), { allow: true });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.member.speaker, true);
    assert.equal(ok.body.member.muted, true);
    assert.equal(ok.body.member.hand_raised_at, null);
    assert.equal(await rtcMute(b.rtc, false), null);
    await waitFor(async () => (await memberOf(stream, bob.user.id)).muted === false, { what: 'bob speaking' });
    assert.equal(dep.db.count('audit_log', `action = 'voice.speak' AND stream_id = ${stream}`), 1);
    // Back to the audience: muted again, and the SFU says so to bob.
    const back = await host.client.post(voicePath(stream, `members/${bob.user.id}/speak`), { allow: false });
    assert.equal(back.body.member.speaker, false);
    assert.equal(back.body.member.muted, true);
    await b.rtc.waitFor((m) => m.type === 'muted' && m.user_id === bob.user.id && m.muted === true, 5_000, 'bob muted in the SFU');
    // Lowering always passes; switching to open clears hands and makes everyone a speaker.
    assert.equal((await alice.client.post(voicePath(stream, 'hand'), { raised: false })).status, 200);
    await bob.client.post(voicePath(stream, 'hand'), { raised: true });
    assert.equal((await host.client.patch(voicePath(stream, 'room'), { mode: 'open' })).status, 200);
    for (const m of (await state(stream)).roster) {
      assert.equal(m.speaker, true);
      assert.equal(m.hand_raised_at, null);
    }
    assert.deepEqual(roomRow(stream)[0].slice(0, 2), ['0', 'open']);
  });

  test('/rtc member objects carry role, speaker and hand_raised_at from the roster', async () => {
    const stream = await newStream();
    const alice = await newUser(base, 'alice');
    assert.equal((await host.client.patch(voicePath(stream, 'room'), { mode: 'stage' })).status, 200);
    const h = await media(host, stream);
    const a = await media(alice, stream);
    const hostInReply = a.rtc.reply.members.find((m) => m.user_id === host.user.id);
    assert.ok(hostInReply, JSON.stringify(a.rtc.reply.members));
    assert.deepEqual([hostInReply.role, hostInReply.speaker, hostInReply.hand_raised_at], ['host', true, null]);
    const joined = await h.rtc.waitFor(
      (m) => m.type === 'member' && m.event === 'joined' && m.member.user_id === alice.user.id,
      5_000,
      'alice joined on the host connection',
    );
    assert.deepEqual([joined.member.role, joined.member.speaker, joined.member.hand_raised_at], ['member', false, null]);
    // The SFU seats a listener muted right after its join (a muted event follows the member one).
    await h.rtc.waitFor((m) => m.type === 'muted' && m.user_id === alice.user.id && m.muted === true, 5_000, 'alice muted');
  });

  test('slow mode: 429 slow_mode with retry_after_ms on hands and /rtc unmutes', async () => {
    const stream = await newStream();
    const alice = await newUser(base, 'alice');
    assert.equal((await host.client.patch(voicePath(stream, 'room'), { mode: 'stage', slow_mode_seconds: 60 })).status, 200);
    await join(host, stream);
    const a = await media(alice, stream);
    assert.equal((await alice.client.post(voicePath(stream, 'hand'), { raised: true })).status, 200);
    assert.equal((await alice.client.post(voicePath(stream, 'hand'), { raised: false })).status, 200);
    const version = (await state(stream)).version;
    const res = await alice.client.post(voicePath(stream, 'hand'), { raised: true });
    assertError(res, 429, 'slow_mode');
    assert.ok(res.body.error.retry_after_ms > 50_000 && res.body.error.retry_after_ms <= 60_000, res.text);
    assert.ok(Number(res.headers['retry-after']) >= 50);
    assert.equal((await memberOf(stream, alice.user.id)).hand_raised_at, null);
    assert.equal((await state(stream)).version, version);
    // Approved, alice unmutes once; the next unmute within the minute is refused.
    await host.client.post(voicePath(stream, `members/${alice.user.id}/speak`), { allow: true });
    assert.equal(await rtcMute(a.rtc, false), null);
    assert.equal(await rtcMute(a.rtc, true), null);
    const err = await rtcMute(a.rtc, false);
    assert.equal(err?.code, 'slow_mode');
    assert.ok(err.retry_after_ms > 0 && err.retry_after_ms <= 60_000);
    assert.equal(a.rtc.closedAt, null);
    assert.equal((await memberOf(stream, alice.user.id)).muted, true);
    // The host is not held back.
    const h = await media(host, stream);
    for (const muted of [true, false, true, false]) assert.equal(await rtcMute(h.rtc, muted), null);
  });

  test('mute toggles: a per-user bucket in the state backend → rate_limited with retry_after_ms', async () => {
    const stream = await newStream();
    const alice = await newUser(base, 'alice');
    const a = await media(alice, stream);
    // Each toggle asks the opposite of the last accepted state, so every one reaches the bucket.
    const errors = [];
    let muted = false;
    for (let i = 0; i < 8; i += 1) {
      const err = await rtcMute(a.rtc, !muted);
      if (err) errors.push(err);
      else muted = !muted;
    }
    assert.ok(errors.length >= 3, JSON.stringify(errors));
    for (const e of errors) {
      assert.equal(e.code, 'rate_limited');
      assert.ok(e.retry_after_ms > 0 && e.retry_after_ms <= 10_000, JSON.stringify(e));
    }
    // The bucket is the user's: a second connection of theirs draws from the same one.
    const again = await rtcJoin(base, (await join(alice, stream)).token);
    conns.push(again);
    assert.equal(again.reply.type, 'joined');
    assert.equal((await rtcMute(again, !muted))?.code, 'rate_limited');
  });

  test('kicks: listed, lifted, the user joins again at once', async () => {
    const stream = await newStream();
    const [alice, bob] = [await newUser(base, 'alice'), await newUser(base, 'bob')];
    await join(bob, stream);
    assert.equal((await host.client.post(voicePath(stream, `members/${bob.user.id}/kick`), {})).status, 200);
    assertError(await bob.client.post(voicePath(stream, 'join'), {}), 403, 'kicked');
    assertError(await alice.client.get(voicePath(stream, 'kicks')), 403, 'forbidden');
    assertError(await del(alice.client, voicePath(stream, `kicks/${bob.user.id}`)), 403, 'forbidden');
    assert.equal(dep.db.count('voice_kicks', `stream_id = ${stream}`), 1);
    const list = await host.client.get(voicePath(stream, 'kicks'));
    assert.equal(list.status, 200);
    assert.equal(list.body.kicks.length, 1);
    assert.deepEqual(
      [list.body.kicks[0].user_id, list.body.kicks[0].username, list.body.kicks[0].kicked_by],
      [bob.user.id, bob.username, host.user.id],
    );
    assert.ok(Date.parse(list.body.kicks[0].kicked_at));
    assertError(await del(host.client, voicePath(stream, `kicks/${alice.user.id}`)), 404, 'not_kicked');
    const lifted = await del(admin, voicePath(stream, `kicks/${bob.user.id}`));
    assert.equal(lifted.status, 200, lifted.text);
    assert.deepEqual(lifted.body, { lifted: true, user_id: bob.user.id });
    assert.equal(dep.db.count('voice_kicks', `stream_id = ${stream}`), 0);
    assert.equal(dep.db.count('audit_log', `action = 'voice.unkick' AND stream_id = ${stream}`), 1);
    await join(bob, stream);
    assert.deepEqual((await host.client.get(voicePath(stream, 'kicks'))).body.kicks, []);
  });

  test('moderation log: newest first, this stream only, limit, powers', async () => {
    const stream = await newStream();
    const other = await newStream('other');
    const [alice, bob] = [await newUser(base, 'alice'), await newUser(base, 'bob')];
    await join(alice, stream);
    await join(bob, other);
    await host.client.post(voicePath(stream, `members/${alice.user.id}/mute`), {});
    await host.client.post(voicePath(stream, `members/${alice.user.id}/kick`), {});
    assertError(await alice.client.get(voicePath(stream, 'audit')), 403, 'forbidden');
    for (const q of ['0', '201', 'x', '-1', '1.5']) {
      assertError(await host.client.get(voicePath(stream, `audit?limit=${q}`)), 400, 'invalid_argument');
    }
    assertError(await host.client.get(voicePath(stream, 'audit?since=1')), 400, 'invalid_argument');
    const all = await host.client.get(voicePath(stream, 'audit'));
    assert.equal(all.status, 200, all.text);
    const actions = all.body.entries.map((e) => e.action);
    assert.deepEqual(actions.slice(0, 3), ['voice.kick', 'voice.mute', 'voice.join']);
    assert.ok(all.body.entries.every((e, i, a) => i === 0 || a[i - 1].id > e.id));
    const kick = all.body.entries[0];
    assert.equal(kick.actor_id, host.user.id);
    assert.equal(kick.actor_name, host.username);
    assert.equal(kick.target_user_id, alice.user.id);
    assert.equal(kick.target_name, alice.username);
    assert.ok(Date.parse(kick.at));
    assert.ok(!all.body.entries.some((e) => e.target_user_id === bob.user.id));
    const one = await admin.get(voicePath(stream, 'audit?limit=1'));
    assert.deepEqual(one.body.entries.map((e) => e.action), ['voice.kick']);
  });

  test('voice off and stream delete end the call: member_left and /rtc closed voice_disabled', async () => {
    for (const how of ['voice_off', 'delete']) {
      const stream = await newStream(how);
      const [alice, bob] = [await newUser(base, 'alice'), await newUser(base, 'bob')];
      const a = await media(alice, stream);
      const b = await media(bob, stream);
      const events = await listen(stream);
      if (how === 'voice_off') {
        assert.equal((await host.client.patch(`/api/streams/${stream}`, { voice_enabled: false })).status, 200);
      } else {
        assertError(await del(host.client, `/api/streams/${stream}`), 403, 'forbidden');
        const deleted = await del(admin, `/api/streams/${stream}`);
        assert.equal(deleted.status, 200, deleted.text);
        assert.deepEqual(deleted.body, { deleted: true, id: stream });
        assertError(await del(admin, `/api/streams/${stream}`), 404, 'not_found');
        assert.equal(dep.db.count('streams', `id = ${stream}`), 0);
      }
      for (const [who, c] of [[alice, a], [bob, b]]) {
        await c.rtc.waitFor((m) => m.type === 'closed' && m.reason === 'voice_disabled', 5_000, `${how}: closed`);
        await c.rtc.closed;
        const left = await events.waitFor(
          (e) => e.event === 'member_left' && e.json.user_id === who.user.id,
          `${how}: member_left ${who.username}`,
        );
        assert.equal(left.json.reason, 'voice_disabled');
      }
      if (how === 'voice_off') {
        assert.deepEqual((await state(stream)).roster, []);
        assert.equal(dep.db.count('voice_members', `stream_id = ${stream} AND left_at IS NULL`), 0);
      }
    }
  });

  test('room settings and moderators survive a chorusd restart', async () => {
    const stream = await newStream();
    const alice = await newUser(base, 'alice');
    const patch = { mode: 'stage', max_speakers: 4, slow_mode_seconds: 12, pinned: [alice.user.id] };
    assert.equal((await host.client.patch(voicePath(stream, 'room'), patch)).status, 200);
    assert.equal((await host.client.post(voicePath(stream, `members/${alice.user.id}/role`), { role: 'moderator' })).status, 200);
    await dep.stop();
    base = await dep.start();
    for (const c of [admin, host.client, alice.client]) c.baseUrl = base;
    const room = (await state(stream)).room;
    for (const [k, v] of Object.entries(patch)) assert.deepEqual(room[k], v, k);
    // The appointed moderator joins as a speaker of the stage and moderates.
    const joined = await join(alice, stream);
    assert.equal(joined.member.role, 'moderator');
    assert.equal(joined.member.speaker, true);
    const bob = await newUser(base, 'bob');
    assert.equal((await join(bob, stream)).member.speaker, false);
    assert.equal((await alice.client.post(voicePath(stream, `members/${bob.user.id}/speak`), { allow: true })).status, 200);
  });
});

describe('stage and moderation with Redis stopped', () => {
  const redis = new PrivateRedis();
  let dep;
  let base;
  let admin;
  let host;
  let alice;
  let stream;

  before(async () => {
    await redis.start();
    dep = new Deployment({ redisUrl: redis.url });
    base = await dep.start();
    admin = await adminClient(base);
    host = await newUser(base, 'host');
    alice = await newUser(base, 'alice');
    const created = await admin.post('/api/streams', { title: 'outage', voice_enabled: true, host_id: host.user.id });
    stream = created.body.id;
    assert.equal((await alice.client.post(voicePath(stream, 'join'), {})).status, 200);
    assert.equal((await host.client.post(voicePath(stream, `members/${alice.user.id}/kick`), {})).status, 200);
  });
  after(async () => {
    await dep?.destroy();
    await redis.destroy();
  });

  test('Redis down: state-backed changes answer 503 and write nothing; database-only reads work', async () => {
    const room = dep.db.query(`SELECT max_speakers, mode, slow_mode_seconds, pinned FROM voice_rooms WHERE stream_id = ${stream}`);
    const audit = dep.db.count('audit_log');
    await redis.stop();
    for (const [method, path, body] of [
      ['PATCH', voicePath(stream, 'room'), { mode: 'stage', max_speakers: 2 }],
      ['POST', voicePath(stream, `members/${alice.user.id}/role`), { role: 'moderator' }],
      ['POST', voicePath(stream, 'hand'), { raised: true }],
      ['POST', voicePath(stream, `members/${alice.user.id}/speak`), { allow: true }],
    ]) {
      assertError(await host.client.request(method, path, { json: body }), 503, 'state_unavailable');
    }
    assert.deepEqual(
      dep.db.query(`SELECT max_speakers, mode, slow_mode_seconds, pinned FROM voice_rooms WHERE stream_id = ${stream}`),
      room,
    );
    assert.equal(dep.db.count('voice_moderators'), 0);
    assert.equal(dep.db.count('audit_log'), audit);
    // The kick list, lifting a kick and the moderation log live in the database alone.
    assert.equal((await host.client.get(voicePath(stream, 'kicks'))).body.kicks.length, 1);
    assert.ok((await host.client.get(voicePath(stream, 'audit'))).body.entries.length >= 2);
    assert.equal((await del(host.client, voicePath(stream, `kicks/${alice.user.id}`))).status, 200);
    await redis.start();
    await waitFor(async () => (await host.client.patch(voicePath(stream, 'room'), { mode: 'stage' })).status === 200, {
      what: 'PATCH …/room once Redis is back',
    });
  });
});
