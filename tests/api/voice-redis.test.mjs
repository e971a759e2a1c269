// Issue 3, failure behaviour: chorusd on a Redis of this test's own, which is stopped and
// started again mid-test. While Redis is down voice endpoints answer 503 state_unavailable and
// write nothing durable, /readyz says so, sign-in still works; when Redis is back everything
// recovers by itself and open event streams get a `resync` and keep delivering.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertError } from './lib/checks.mjs';
import { adminClient, Client, newUser, request, waitFor } from './lib/index.mjs';
import { Deployment, openEvents, PrivateRedis } from './lib/voice-harness.mjs';

const voicePath = (id, rest) => `/api/voice/streams/${id}/${rest}`;

describe('voice with Redis stopped and restarted', () => {
  const redis = new PrivateRedis();
  let dep;
  let base;
  let alice;
  let bob;
  let stream;
  let es;

  before(async () => {
    await redis.start();
    dep = new Deployment({ redisUrl: redis.url, args: ['--voice-sse-keepalive', '1'] });
    base = await dep.start();
    const admin = await adminClient(base);
    alice = await newUser(base, 'alice');
    bob = await newUser(base, 'bob');
    const created = await admin.post('/api/streams', { title: 'redis outage', voice_enabled: true });
    stream = created.body.id;
  });
  after(async () => {
    es?.close();
    await dep?.destroy();
    await redis.destroy();
  });

  test('works on Redis: join, presence keys, event stream', async () => {
    const ready = await request(base, 'GET', '/readyz');
    assert.equal(ready.status, 200, ready.text);
    assert.equal(ready.body.state, 'ok');
    assert.equal((await alice.client.post(voicePath(stream, 'join'), {})).status, 200);
    es = openEvents(bob.client, voicePath(stream, 'events'));
    await es.ready;
    await es.waitFor((e) => e.event === 'hello', 'hello');
    const metrics = await request(base, 'GET', '/metrics');
    assert.match(metrics.text, /chorus_redis_command_duration_seconds_bucket\{command="EVAL/);
  });

  test('Redis down: 503 state_unavailable, nothing durable written, /readyz unavailable', async () => {
    await redis.stop();
    await waitFor(async () => (await request(base, 'GET', '/readyz')).status === 503, { what: '/readyz 503' });
    const ready = await request(base, 'GET', '/readyz');
    assert.equal(ready.body.state, 'unavailable');
    assert.equal(ready.body.database, 'ok');
    const members = dep.db.count('voice_members');
    const settings = dep.db.count('voice_settings');
    const audit = dep.db.count('audit_log');
    const refusedJoin = await bob.client.post(voicePath(stream, 'join'), {});
    assertError(refusedJoin, 503, 'state_unavailable');
    assert.equal(refusedJoin.headers['retry-after'], '1', 'a 503 says when to retry');
    assertError(await alice.client.post(voicePath(stream, 'leave'), {}), 503, 'state_unavailable');
    assertError(await alice.client.post(voicePath(stream, 'heartbeat'), {}), 503, 'state_unavailable');
    assertError(await alice.client.get(voicePath(stream, 'roster')), 503, 'state_unavailable');
    assertError(await alice.client.get(voicePath(stream, 'events')), 503, 'state_unavailable');
    assertError(
      await alice.client.request('PUT', '/api/settings/voice', { json: { input_gain: 120 } }),
      503,
      'state_unavailable',
    );
    assert.equal(dep.db.count('voice_members'), members);
    assert.equal(dep.db.count('voice_settings'), settings);
    assert.equal(dep.db.count('audit_log'), audit);
    // Settings still read from the database; sign-in does not depend on Redis.
    assert.equal((await alice.client.get('/api/settings/voice')).status, 200);
    const again = new Client(base);
    await again.login(alice.username, alice.password);
  });

  test('Redis back: recovers by itself; the open event stream resyncs and keeps delivering', async () => {
    await redis.start();
    await waitFor(async () => (await request(base, 'GET', '/readyz')).status === 200, {
      what: '/readyz 200 after Redis returns',
      timeoutMs: 15_000,
    });
    await es.waitFor((e) => e.event === 'resync', 'resync after reconnect', 15_000);
    const join = await waitFor(
      async () => {
        const r = await bob.client.post(voicePath(stream, 'join'), {});
        return r.status === 200 ? r : null;
      },
      { what: 'join after Redis returns' },
    );
    assert.equal(join.body.roster.some((m) => m.user_id === bob.user.id), true);
    await es.waitFor((e) => e.event === 'member_joined' && e.json.member.user_id === bob.user.id, 'join event after recovery');
    const put = await alice.client.request('PUT', '/api/settings/voice', { json: { input_gain: 120 } });
    assert.equal(put.status, 200, put.text);
  });
});
