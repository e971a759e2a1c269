// Issue 8, item 6 — atomic room state, against a real chorusd (SQLite + in-process state, or
// Postgres + Redis when CHORUS_TEST_POSTGRES_URL / CHORUS_TEST_REDIS_URL are set):
// - 50 concurrent joins into a room of 5 seat exactly 5 (one process, and on Redis two chorusd
//   processes sharing the database and the Redis db), and the refused joins write nothing;
// - a host mute racing the member's leave never leaves a ghost member in the roster;
// - Redis coming back empty (restart without persistence): the open voice_members rows are closed
//   with reason state_lost, event-stream clients get `resync`, and no media connection outlives
//   its lost seat;
// - with two processes, a leave or kick answered by one node ends the media held by the other.
// Each test starts its own chorusd and users.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { assertError } from '../api/lib/checks.mjs';
import {
  adminClient,
  chorusdBinary,
  freePort,
  freeUdpPort,
  guiDist,
  kAdminPassword,
  kAdminUser,
  newUser,
  request,
  startServer,
  tailOf,
  waitFor,
  waitForExit,
  withTimeout,
} from '../api/lib/index.mjs';
import { Deployment, openEvents, PrivateRedis } from '../api/lib/voice-harness.mjs';
import {
  createVoiceStream,
  describeMessages,
  destroyAll,
  joinVoice,
  joinWithMedia,
  redisUrlOf,
  serverFor,
  sfuParticipants,
  waitParticipants,
} from './lib/rtc.mjs';

const kWithRedis = Boolean(process.env.CHORUS_TEST_REDIS_URL);
const kWithPgRedis = kWithRedis && Boolean(process.env.CHORUS_TEST_POSTGRES_URL);
const kUsers = 50;
const kMax = 5;
// No ICE runs in these tests: consent expiry must not remove participants mid-test.
const kArgs = ['--voice-join-rate', '1000', '--rtc-consent-timeout', '600'];
const kEndMs = 1_000; // leaving ends media within this
const voicePath = (id, rest) => `/api/voice/streams/${id}/${rest}`;

/** Registers `n` users, a few at a time (password hashing has a bounded queue). */
async function registerUsers(base, n, prefix) {
  const users = [];
  for (let i = 0; i < n; i += 5) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(5, n - i) }, () => newUser(base, prefix)),
    );
    users.push(...batch);
  }
  return users;
}

/** Counts answers by status: { 200: 5, 409: 45 }. */
function byStatus(answers) {
  const out = {};
  for (const res of answers) out[res.status] = (out[res.status] ?? 0) + 1;
  return out;
}

/** Asserts exactly kMax of the answers are 200 and the rest 409 room_full. */
function assertExactlySeated(answers) {
  const counts = byStatus(answers);
  assert.deepEqual(counts, { 200: kMax, 409: answers.length - kMax }, JSON.stringify(counts));
  for (const res of answers) if (res.status === 409) assertError(res, 409, 'room_full');
}

/** The durable and the live view agree on exactly kMax seated members. */
async function assertRoomHolds(db, client, stream, seatedIds, bases) {
  assert.equal(db.count('voice_members', `stream_id = ${stream} AND left_at IS NULL`), kMax);
  // Refused joins wrote nothing: no row at all beyond the seated ones.
  assert.equal(db.count('voice_members', `stream_id = ${stream}`), kMax);
  const dbIds = db
    .query(
      `SELECT user_id FROM voice_members WHERE stream_id = ${stream} AND left_at IS NULL ORDER BY user_id`,
    )
    .map((r) => Number(r[0]));
  assert.deepEqual(
    dbIds,
    [...seatedIds].sort((a, b) => a - b),
  );
  for (const base of bases) {
    const res = await request(base, 'GET', voicePath(stream, 'state'), {
      headers: { Cookie: client.cookieHeader() },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.roster.length, kMax, `${base}: ${JSON.stringify(res.body.roster)}`);
    assert.equal(res.body.room.member_count, kMax);
    assert.deepEqual(
      res.body.roster.map((m) => m.user_id).sort((a, b) => a - b),
      [...seatedIds].sort((a, b) => a - b),
    );
  }
}

/**
 * Starts a second chorusd on the same database and Redis db as `server` (own port, data dir and
 * log dir). Returns { base, stop() } (stop: SIGTERM, then SIGKILL, by its PID).
 */
async function startSecondNode(server) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-node2-'));
  const logDir = path.join(dataDir, 'logs');
  fs.mkdirSync(logDir, { recursive: true });
  const port = await freePort();
  const udpPort = await freeUdpPort();
  const consoleLog = path.join(logDir, 'console.log');
  const out = fs.openSync(consoleLog, 'a');
  const child = spawn(
    chorusdBinary,
    [
      '--listen',
      `127.0.0.1:${port}`,
      '--data-dir',
      dataDir,
      '--log-dir',
      logDir,
      '--gui-dir',
      guiDist,
      '--database-url',
      server.db.url,
      '--redis-url',
      redisUrlOf(server),
      '--rtc-udp-port',
      String(udpPort),
      '--rtc-bind',
      '127.0.0.1',
      ...kArgs,
    ],
    {
      cwd: dataDir,
      env: {
        ...process.env,
        CHORUS_BOOTSTRAP_ADMIN: `${kAdminUser}:${kAdminPassword}`,
        CHORUS_ENV_FILE: path.join(dataDir, 'no.env'),
        CHORUS_REGISTER_MAX_PER_ADDRESS: '1000000',
      },
      stdio: ['ignore', out, out],
    },
  );
  fs.closeSync(out);
  const killOnExit = () =>
    child.exitCode === null && child.signalCode === null && child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(child.pid, 'SIGTERM');
      if (!(await waitForExit(child, 5_000))) {
        process.kill(child.pid, 'SIGKILL');
        await waitForExit(child, 5_000);
      }
    }
    process.removeListener('exit', killOnExit);
    if (!process.env.CHORUS_TEST_KEEP) fs.rmSync(dataDir, { recursive: true, force: true });
  };
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error('second chorusd exited');
        return (
          (await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2_000) })).status === 200
        );
      },
      { timeoutMs: 20_000, what: `${base}/healthz` },
    );
  } catch (error) {
    const tail = tailOf(consoleLog);
    await stop();
    throw new Error(`${error.message}\n--- second chorusd console ---\n${tail}`);
  }
  return { base, stop };
}

describe('atomic joins', () => {
  test(`${kUsers} concurrent joins into max_members ${kMax}: exactly ${kMax} seated, the rest 409 room_full`, async (t) => {
    const server = await serverFor(t, { args: kArgs });
    const base = server.baseUrl;
    const admin = await adminClient(base);
    const stream = await createVoiceStream(admin);
    const room = await admin.patch(voicePath(stream, 'room'), { max_members: kMax });
    assert.equal(room.status, 200, room.text);
    assert.equal(room.body.max_members, kMax);
    const users = await registerUsers(base, kUsers, 'seat');
    const auditsBefore = server.db.count('audit_log', "action = 'voice.join'");

    const answers = await Promise.all(
      users.map((u) => u.client.post(voicePath(stream, 'join'), {})),
    );
    assertExactlySeated(answers);
    const seated = users.filter((_, i) => answers[i].status === 200).map((u) => u.user.id);
    await assertRoomHolds(server.db, admin, stream, seated, [base]);
    assert.equal(server.db.count('audit_log', "action = 'voice.join'") - auditsBefore, kMax);
  });

  test(
    `two chorusd processes on one database and one Redis: ${kUsers} joins split across both seat exactly ${kMax}`,
    { skip: !kWithPgRedis && 'needs CHORUS_TEST_POSTGRES_URL and CHORUS_TEST_REDIS_URL' },
    async (t) => {
      const server = await startServer({ args: kArgs });
      let node2 = null;
      t.after(async () => {
        await node2?.stop(); // the second node goes before the first drops the database
        await server.stop();
      });
      node2 = await startSecondNode(server);
      const base1 = server.baseUrl;
      const base2 = node2.base;
      const admin = await adminClient(base1);
      const stream = await createVoiceStream(admin);
      const room = await admin.patch(voicePath(stream, 'room'), { max_members: kMax });
      assert.equal(room.status, 200, room.text);
      const users = await registerUsers(base1, kUsers, 'seat2');
      // Each node sees the room's limit.
      const seen = await request(base2, 'GET', voicePath(stream, 'state'), {
        headers: { Cookie: admin.cookieHeader() },
      });
      assert.equal(seen.status, 200, seen.text);
      assert.equal(seen.body.room.max_members, kMax);

      const answers = await Promise.all(
        users.map((u, i) =>
          request(i % 2 ? base2 : base1, 'POST', voicePath(stream, 'join'), {
            json: {},
            headers: { Cookie: u.client.cookieHeader() },
          }),
        ),
      );
      assertExactlySeated(answers);
      const seated = users.filter((_, i) => answers[i].status === 200).map((u) => u.user.id);
      await assertRoomHolds(server.db, admin, stream, seated, [base1, base2]);
    },
  );
});

describe(
  'two chorusd processes: leaving through one node ends media on the other',
  { skip: !kWithPgRedis && 'needs CHORUS_TEST_POSTGRES_URL and CHORUS_TEST_REDIS_URL' },
  () => {
    test('REST leave and kick answered by node 2 close the /rtc socket held by node 1 within 1 s', async (t) => {
      const server = await startServer({ args: kArgs });
      let node2 = null;
      const conns = [];
      t.after(async () => {
        destroyAll(conns);
        await node2?.stop();
        await server.stop();
      });
      node2 = await startSecondNode(server);
      const base1 = server.baseUrl;
      const admin = await adminClient(base1);
      const host = await newUser(base1, 'host');
      const alice = await newUser(base1, 'alice');
      const bob = await newUser(base1, 'bob');
      const stream = await createVoiceStream(admin, { hostId: host.user.id });
      const a = await joinWithMedia(alice.client, stream); // REST and /rtc on node 1
      const b = await joinWithMedia(bob.client, stream);
      conns.push(a.rtc, b.rtc);
      await waitParticipants(base1, 2);
      const viaNode2 = (client, p) =>
        request(node2.base, 'POST', p, { json: {}, headers: { Cookie: client.cookieHeader() } });

      let start = Date.now();
      const leave = await viaNode2(alice.client, voicePath(stream, 'leave'));
      assert.equal(leave.status, 200, leave.text);
      assert.equal(leave.body.left, true);
      await a.rtc.waitFor(
        (m) => m.type === 'closed' && m.reason === 'left',
        3_000,
        'closed after a leave on node 2',
      );
      let closed = await withTimeout(a.rtc.closed, 3_000, 'alice socket closed');
      assert.ok(closed.at - start <= kEndMs, `closed ${closed.at - start} ms after the leave`);
      await waitParticipants(base1, 1, { timeoutMs: kEndMs });

      start = Date.now();
      const kick = await viaNode2(host.client, voicePath(stream, `members/${bob.user.id}/kick`));
      assert.equal(kick.status, 200, kick.text);
      await b.rtc.waitFor((m) => m.type === 'kicked', 3_000, 'kicked after a kick on node 2');
      closed = await withTimeout(b.rtc.closed, 3_000, 'bob socket closed');
      assert.ok(closed.at - start <= kEndMs, `closed ${closed.at - start} ms after the kick`);
      await waitParticipants(base1, 0, { timeoutMs: kEndMs });
    });
  },
);

describe('mute racing leave', () => {
  test("a host mute racing the member's leave never leaves a ghost in the roster", async (t) => {
    const server = await serverFor(t, { args: kArgs });
    const base = server.baseUrl;
    const admin = await adminClient(base);
    const host = await newUser(base, 'host');
    const stream = await createVoiceStream(admin, { hostId: host.user.id });
    const users = await registerUsers(base, 8, 'race');
    for (let round = 0; round < 4; round += 1) {
      await Promise.all(users.map((u) => joinVoice(u.client, stream)));
      const results = await Promise.all(
        users.flatMap((u) => [
          u.client.post(voicePath(stream, 'leave'), {}),
          host.client.post(voicePath(stream, `members/${u.user.id}/mute`), {}),
        ]),
      );
      for (let i = 0; i < users.length; i += 1) {
        const [leave, mute] = [results[2 * i], results[2 * i + 1]];
        assert.equal(leave.status, 200, leave.text);
        assert.equal(leave.body.left, true);
        assert.ok([200, 404].includes(mute.status), `mute: ${mute.status} ${mute.text}`);
      }
      const st = await host.client.get(voicePath(stream, 'state'));
      assert.equal(st.status, 200, st.text);
      assert.deepEqual(st.body.roster, [], `ghost members after round ${round}`);
      assert.equal(st.body.room.member_count, 0);
      assert.equal(
        server.db.count('voice_members', `stream_id = ${stream} AND left_at IS NULL`),
        0,
      );
    }
  });
});

describe(
  'state lost (Redis restarted empty)',
  { skip: !kWithRedis && 'needs CHORUS_TEST_REDIS_URL' },
  () => {
    test('open voice_members rows are closed with reason state_lost and SSE clients get resync', async (t) => {
      const redis = new PrivateRedis();
      await redis.start();
      const dep = new Deployment({ redisUrl: redis.url, args: kArgs });
      let es = null;
      t.after(async () => {
        es?.close?.();
        await dep.destroy();
        await redis.destroy();
      });
      const base = await dep.start();
      const admin = await adminClient(base);
      const stream = await createVoiceStream(admin);
      const alice = await newUser(base, 'alice');
      const bob = await newUser(base, 'bob');
      await joinVoice(alice.client, stream);
      await joinVoice(bob.client, stream);
      const open = `stream_id = ${stream} AND left_at IS NULL`;
      assert.equal(dep.db.count('voice_members', open), 2);
      es = openEvents(admin, voicePath(stream, 'events'));
      await es.ready;
      await es.waitFor((e) => e.event === 'hello', 'hello');

      await redis.stop();
      await redis.start(); // same port, no persistence: empty
      await es.waitFor((e) => e.event === 'resync', 'resync after Redis came back empty', 15_000);
      await waitFor(() => dep.db.count('voice_members', open) === 0, {
        timeoutMs: 10_000,
        what: 'open voice_members rows closed after the state was lost',
      });
      for (const u of [alice, bob]) {
        const [leftAt, reason] = dep.db.query(
          `SELECT COALESCE(CAST(left_at AS TEXT), 'NULL'), COALESCE(left_reason, 'NULL') FROM voice_members
         WHERE stream_id = ${stream} AND user_id = ${u.user.id} ORDER BY id DESC LIMIT 1`,
        )[0];
        assert.notEqual(leftAt, 'NULL');
        assert.equal(reason, 'state_lost');
      }
      // The room works again: a fresh join seats and opens one row.
      const again = await waitFor(
        async () => {
          const r = await alice.client.post(voicePath(stream, 'join'), {});
          return r.status === 200 ? r : null;
        },
        { timeoutMs: 10_000, what: 'a join after the state was lost' },
      );
      assert.deepEqual(
        again.body.roster.map((m) => m.user_id),
        [alice.user.id],
      );
      assert.equal(dep.db.count('voice_members', open), 1);
    });

    test('a member whose seat was lost has no media left: closed "state_lost", SFU participant gone', async (t) => {
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
      assert.equal(await sfuParticipants(base), 1);

      await redis.stop();
      await redis.start(); // empty: alice is no longer seated anywhere
      await waitFor(
        () => dep.db.count('voice_members', `stream_id = ${stream} AND left_at IS NULL`) === 0,
        {
          timeoutMs: 10_000,
          what: 'the membership closed as state_lost',
        },
      );
      const closedAt = Date.now();
      await rtc.waitFor(
        (m) => m.type === 'closed',
        3_000,
        'a final closed message once the seat is gone',
      );
      assert.equal(
        rtc.messages.at(-1).reason,
        'state_lost',
        describeMessages(rtc.messages.slice(-1)),
      );
      const closed = await withTimeout(rtc.closed, 3_000, 'the seatless socket closed');
      assert.ok(
        closed.at - closedAt <= kEndMs,
        `socket closed ${closed.at - closedAt} ms after the row`,
      );
      await waitParticipants(base, 0, { timeoutMs: kEndMs });
    });
  },
);
