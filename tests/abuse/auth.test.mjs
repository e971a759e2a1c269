// Issue 8, item 4 — logins and registration under abuse, against a real chorusd (SQLite +
// in-process state, or Postgres + Redis when CHORUS_TEST_POSTGRES_URL / CHORUS_TEST_REDIS_URL are
// set): parallel wrong passwords get at most the limit checked, registration is limited per
// address, the limits hold with Redis down, a full hash queue answers 503 busy while session
// checks stay fast, and a bootstrap admin password under 8 characters stops chorusd. Each case
// checks in the database that nothing was written that should not have been.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertError, assertUnchanged, snapshot } from '../api/lib/checks.mjs';
import {
  chorusdBinary,
  Client,
  freePort,
  freeUdpPort,
  guiDist,
  request,
  startServer,
  TestDatabase,
  tailOf,
  uniqueName,
  waitForExit,
} from '../api/lib/index.mjs';
import { Deployment, PrivateRedis } from '../api/lib/voice-harness.mjs';

const kAttempts = 200;
const kDefaultUserLimit = 10; // --login-max-failures-per-user default (docs/golden-settings.md)
const kLoginWindowS = 900; // --login-failure-window default
const kPassword = 'right-password-1';

/** Sends `n` requests at once (each on its own connection) and resolves every answer. */
function flood(n, send) {
  return Promise.all(Array.from({ length: n }, (_, i) => send(i)));
}

/** Counts answers by status: { 401: 7, 429: 193 }. */
function byStatus(answers) {
  const out = {};
  for (const res of answers) out[res.status] = (out[res.status] ?? 0) + 1;
  return out;
}

/** Asserts a throttled answer: `status code`, a Retry-After of 1..maxS seconds, no cookie. */
function assertThrottled(res, status, code, maxS) {
  assertError(res, status, code);
  const retry = Number(res.headers['retry-after']);
  assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= maxS, `Retry-After: ${res.headers['retry-after']}`);
  assert.equal(res.setCookies.length, 0, 'a refused request set a cookie');
}

/**
 * 200 parallel wrong passwords for `username` on `baseUrl`: at most the per-user limit are
 * checked (401), the rest are 429 too_many_attempts with Retry-After; then the right password is
 * refused too while the lock lasts.
 */
async function assertParallelWrongLoginsLimited(baseUrl, username) {
  const answers = await flood(kAttempts, (i) =>
    request(baseUrl, 'POST', '/api/auth/login', { json: { username, password: `wrong-pass-${i}` } }),
  );
  const counts = byStatus(answers);
  const checked = counts[401] ?? 0;
  const refused = counts[429] ?? 0;
  assert.equal(checked + refused, kAttempts, `unexpected answers: ${JSON.stringify(counts)}`);
  assert.ok(checked >= 1 && checked <= kDefaultUserLimit, `${checked} wrong passwords were checked (limit ${kDefaultUserLimit}): ${JSON.stringify(counts)}`);
  for (const res of answers) {
    if (res.status === 401) assertError(res, 401, 'invalid_credentials');
    else assertThrottled(res, 429, 'too_many_attempts', kLoginWindowS);
  }
  const right = await request(baseUrl, 'POST', '/api/auth/login', { json: { username, password: kPassword } });
  assertThrottled(right, 429, 'too_many_attempts', kLoginWindowS);
}

describe('parallel wrong logins for one user', () => {
  let server;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server?.stop();
  });

  test(`${kAttempts} at once: at most the limit get 401, the rest 429; the right password is refused while locked`, async () => {
    const base = server.baseUrl;
    const victim = uniqueName('victim');
    await new Client(base).register(victim, kPassword);
    const before_ = snapshot(server.db);

    await assertParallelWrongLoginsLimited(base, victim);
    // Nothing durable: no session for anyone, no user or stream row changed.
    assertUnchanged(server.db, before_, 'throttled logins');

    // The 429s did not use up the address's budget: another user here still signs in.
    const other = uniqueName('other');
    await new Client(base).register(other, kPassword);
    await new Client(base).login(other, kPassword);
  });
});

describe('registration flood from one address (--register-max-per-address 5)', () => {
  const kLimit = 5;
  let server;
  before(async () => {
    server = await startServer({ args: ['--register-max-per-address', String(kLimit)] });
  });
  after(async () => {
    await server?.stop();
  });

  test('beyond the limit 429 rate_limited with Retry-After, and the users table grows by at most the limit', async () => {
    const base = server.baseUrl;
    const usersBefore = server.db.count('users');
    const sessionsBefore = server.db.count('sessions');
    const names = Array.from({ length: 40 }, () => uniqueName('flood'));
    const answers = await flood(names.length, (i) =>
      request(base, 'POST', '/api/auth/register', { json: { username: names[i], password: kPassword } }),
    );
    const counts = byStatus(answers);
    const created = counts[201] ?? 0;
    assert.equal(created + (counts[429] ?? 0), names.length, `unexpected answers: ${JSON.stringify(counts)}`);
    assert.ok(created >= 1 && created <= kLimit, `${created} registrations went through (limit ${kLimit})`);
    for (const res of answers) if (res.status === 429) assertThrottled(res, 429, 'rate_limited', 3600);

    // Straight from the database: exactly the 201s were written, none of the refused names.
    assert.equal(server.db.count('users'), usersBefore + created);
    const refusedKeys = names.filter((_, i) => answers[i].status === 429).map((n) => `'${n.toLowerCase()}'`);
    assert.equal(server.db.count('users', `username_key IN (${refusedKeys.join(',')})`), 0);
    assert.equal(server.db.count('sessions'), sessionsBefore + created, 'a refused registration opened a session');

    // Still refused afterwards (the window lasts), still nothing written.
    const late = await request(base, 'POST', '/api/auth/register', {
      json: { username: uniqueName('late'), password: kPassword },
    });
    assertThrottled(late, 429, 'rate_limited', 3600);
    assert.equal(server.db.count('users'), usersBefore + created);
  });
});

describe('login limits with Redis down', { skip: !process.env.CHORUS_TEST_REDIS_URL && 'needs CHORUS_TEST_REDIS_URL (runs on Postgres + Redis)' }, () => {
  let redis;
  let dep;
  before(async () => {
    redis = new PrivateRedis();
    await redis.start();
    dep = new Deployment({ redisUrl: redis.url });
    await dep.start();
  });
  after(async () => {
    await dep?.destroy();
    await redis?.destroy();
  });

  test('the limiter falls back to in-process counters: still at most the limit of 401s', async () => {
    const victim = uniqueName('victim');
    await new Client(dep.baseUrl).register(victim, kPassword);
    await redis.stop();
    const sessionsBefore = dep.db.count('sessions');
    const usersBefore = dep.db.count('users');

    await assertParallelWrongLoginsLimited(dep.baseUrl, victim);
    assert.equal(dep.db.count('sessions'), sessionsBefore, 'a refused login opened a session');
    assert.equal(dep.db.count('users'), usersBefore);
  });
});

describe('hash queue full (--hash-threads 1 --hash-queue-max 1)', () => {
  let server;
  before(async () => {
    server = await startServer({
      args: ['--hash-threads', '1', '--hash-queue-max', '1', '--register-max-per-address', '100000'],
    });
  });
  after(async () => {
    await server?.stop();
  });

  test('register answers 503 busy with Retry-After and writes nothing, while /api/auth/me stays fast', async (t) => {
    const base = server.baseUrl;
    const me = new Client(base);
    await me.register(uniqueName('me'), kPassword);
    const usersBefore = server.db.count('users');
    const sessionsBefore = server.db.count('sessions');

    const names = Array.from({ length: 30 }, () => uniqueName('busy'));
    let settled = false;
    const burst = flood(names.length, (i) =>
      request(base, 'POST', '/api/auth/register', { json: { username: names[i], password: kPassword } }),
    ).finally(() => {
      settled = true;
    });
    // Session checks meanwhile: they run on the database pool, never behind argon2id.
    const meTimesMs = [];
    do {
      const started = performance.now();
      const res = await me.get('/api/auth/me');
      meTimesMs.push(performance.now() - started);
      assert.equal(res.status, 200, res.text);
    } while (!settled);
    const answers = await burst;

    const counts = byStatus(answers);
    const created = counts[201] ?? 0;
    const busy = counts[503] ?? 0;
    assert.equal(created + busy, names.length, `unexpected answers: ${JSON.stringify(counts)}`);
    assert.ok(busy >= 1, `no 503 busy with a 2-deep hash pool: ${JSON.stringify(counts)}`);
    assert.ok(created >= 1, 'nothing got through the hash pool');
    for (const res of answers) {
      if (res.status !== 503) continue;
      assertError(res, 503, 'busy');
      assert.equal(res.headers['retry-after'], '1');
      assert.equal(res.setCookies.length, 0);
    }
    const slowest = Math.max(...meTimesMs);
    const median = [...meTimesMs].sort((a, b) => a - b)[Math.floor(meTimesMs.length / 2)];
    const summary = `${meTimesMs.length} GET /api/auth/me during the burst: median ${median.toFixed(1)} ms, slowest ${slowest.toFixed(1)} ms`;
    t.diagnostic(`${JSON.stringify(counts)}; ${summary}`);
    assert.ok(slowest < 1000, summary);

    // Straight from the database: only the 201s were written.
    assert.equal(server.db.count('users'), usersBefore + created);
    assert.equal(server.db.count('sessions'), sessionsBefore + created);
    const busyKeys = names.filter((_, i) => answers[i].status === 503).map((n) => `'${n.toLowerCase()}'`);
    assert.equal(server.db.count('users', `username_key IN (${busyKeys.join(',')})`), 0);

    // The refusals were counted, and the pool serves again once the burst is over.
    const metrics = await request(base, 'GET', '/metrics');
    assert.match(metrics.text, /^chorus_password_hash_refusals [1-9]/m);
    await new Client(base).register(uniqueName('after'), kPassword);
  });
});

describe('bootstrap admin password rule', () => {
  /**
   * Runs chorusd on a fresh data dir and database with CHORUS_BOOTSTRAP_ADMIN=`spec` until it
   * exits (bounded; killed otherwise). Resolves { code, signal, output, db, dataDir }.
   */
  async function runWithBootstrap(spec) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-abuse-'));
    const db = TestDatabase.forTest(dataDir);
    const consoleLog = path.join(dataDir, 'console.log');
    const out = fs.openSync(consoleLog, 'a');
    const child = spawn(
      chorusdBinary,
      [
        '--listen', `127.0.0.1:${await freePort()}`,
        '--data-dir', dataDir,
        '--log-dir', path.join(dataDir, 'logs'),
        '--gui-dir', guiDist,
        '--database-url', db.url,
        '--rtc-udp-port', String(await freeUdpPort()),
        '--rtc-bind', '127.0.0.1',
      ],
      {
        cwd: dataDir,
        env: { ...process.env, CHORUS_BOOTSTRAP_ADMIN: spec, CHORUS_ENV_FILE: path.join(dataDir, 'no.env') },
        stdio: ['ignore', out, out],
      },
    );
    fs.closeSync(out);
    if (!(await waitForExit(child, 15_000))) {
      child.kill('SIGKILL');
      await waitForExit(child, 5_000);
    }
    return { code: child.exitCode, signal: child.signalCode, output: tailOf(consoleLog), db, dataDir };
  }

  /** Users rows in `db` (0 when chorusd never created the table). */
  function usersIn(db) {
    if (db.kind === 'sqlite') {
      if (!fs.existsSync(db.file)) return 0;
      if (db.count('sqlite_master', "type = 'table' AND name = 'users'") === 0) return 0;
    } else if (db.count('information_schema.tables', "table_name = 'users'") === 0) {
      return 0;
    }
    return db.count('users');
  }

  test('a 7-character password stops chorusd at start with a clear message, and no admin is written', async () => {
    const run = await runWithBootstrap('admin:1234567');
    try {
      assert.equal(run.signal, null, `chorusd did not exit by itself (killed: ${run.signal})\n${run.output}`);
      assert.notEqual(run.code, 0, run.output);
      assert.match(run.output, /CHORUS_BOOTSTRAP_ADMIN/);
      assert.match(run.output, /8/);
      assert.equal(usersIn(run.db), 0, 'a user was written');
    } finally {
      run.db.drop();
      fs.rmSync(run.dataDir, { recursive: true, force: true });
    }
  });

  test('exactly 8 characters is accepted and signs in', async () => {
    const server = await startServer({ env: { CHORUS_BOOTSTRAP_ADMIN: 'root:12345678' } });
    try {
      await new Client(server.baseUrl).login('root', '12345678');
      assert.equal(server.db.count('users', "role = 'admin'"), 1);
    } finally {
      await server.stop();
    }
  });
});
