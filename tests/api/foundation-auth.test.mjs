// Issue 2, accounts and sessions: register, login, logout, me; bad input, CSRF, throttling and
// cookie attributes. Every refusal is followed by a direct database check that nothing changed.
// Run: node --test tests/api/ (CHORUS_BIN, CHORUS_TEST_POSTGRES_URL optional).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { assertError, assertUnchanged, snapshot } from './lib/checks.mjs';
import {
  Client,
  kAdminPassword,
  kAdminUser,
  parseSetCookie,
  request,
  startServer,
  uniqueName,
} from './lib/index.mjs';

const sha256Hex = (s) => createHash('sha256').update(s).digest('hex');

/** Returns the parsed chorus_session Set-Cookie of a response (asserting there is one). */
function sessionCookie(res) {
  const cookie = res.setCookies.map(parseSetCookie).find((c) => c.name === 'chorus_session');
  assert.ok(cookie, `no chorus_session cookie in ${JSON.stringify(res.setCookies)}`);
  return cookie;
}

describe('auth (default server)', () => {
  let server;
  let base;
  before(async () => {
    server = await startServer();
    base = server.baseUrl;
  });
  after(async () => {
    await server?.stop();
  });

  test('register creates a user, a hashed session and a safe cookie', async () => {
    const before_ = snapshot(server.db);
    const c = new Client(base);
    const name = uniqueName('reg');
    const res = await c.post('/api/auth/register', { username: name, password: 'correct horse' });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.user.username, name);
    assert.equal(res.body.user.role, 'user');
    assert.equal(typeof res.body.user.id, 'number');
    const cookie = sessionCookie(res);
    assert.equal(cookie.attrs.httponly, true);
    assert.equal(cookie.attrs.samesite, 'Lax');
    assert.equal(cookie.attrs.path, '/');
    assert.equal(cookie.attrs.secure, undefined, 'no Secure on a plain-http public URL');
    assert.ok(Number(cookie.attrs['max-age']) > 0);
    assert.match(cookie.value, /^[A-Za-z0-9_-]{40,}$/, '256-bit random token');
    // Stored: one more user, its password hashed with argon2id; the session token only hashed.
    assert.equal(server.db.count('users'), before_.users.length + 1);
    const hash = server.db.scalar(`SELECT password_hash FROM users WHERE id = ${res.body.user.id}`);
    assert.match(hash, /^\$argon2id\$/);
    assert.equal(server.db.count('sessions', `token_hash = '${cookie.value}'`), 0);
    assert.equal(server.db.count('sessions', `user_id = ${res.body.user.id}`), 1);
    const me = await c.get('/api/auth/me');
    assert.equal(me.status, 200);
    assert.deepEqual(me.body.user, res.body.user);
  });

  test('session token is stored as its SHA-256, never in clear', async () => {
    const c = new Client(base);
    await c.register(uniqueName('hash'), 'password123');
    const stored = server.db.scalar(`SELECT token_hash FROM sessions ORDER BY id DESC LIMIT 1`);
    assert.notEqual(stored, c.session);
    assert.equal(stored, sha256Hex(c.session));
  });

  test('duplicate username is 409, case-insensitively, and writes nothing', async () => {
    const name = uniqueName('Dup');
    await new Client(base).register(name, 'password123');
    for (const variant of [name, name.toUpperCase(), name.toLowerCase()]) {
      const before_ = snapshot(server.db);
      const res = await new Client(base).post('/api/auth/register', {
        username: variant,
        password: 'other-password',
      });
      assertError(res, 409, 'username_taken');
      assert.equal(res.setCookies.length, 0);
      assertUnchanged(server.db, before_);
    }
    // The original password still works; the refused one does not.
    await new Client(base).login(name.toLowerCase(), 'password123');
    const wrong = await new Client(base).post('/api/auth/login', {
      username: name,
      password: 'other-password',
    });
    assertError(wrong, 401);
  });

  test('login answers 200 with a fresh session; wrong password and unknown user look the same', async () => {
    const name = uniqueName('log');
    const reg = await new Client(base).register(name, 'password123');
    const c = new Client(base);
    const res = await c.login(name.toUpperCase(), 'password123');
    assert.equal(res.body.user.id, reg.body.user.id);
    assert.notEqual(c.session, sessionCookie(reg).value);
    assert.equal((await c.get('/api/auth/me')).body.user.username, name);

    const before_ = snapshot(server.db);
    const wrong = await new Client(base).post('/api/auth/login', {
      username: name,
      password: 'not-the-password',
    });
    const unknown = await new Client(base).post('/api/auth/login', {
      username: uniqueName('nobody'),
      password: 'not-the-password',
    });
    assertError(wrong, 401, 'invalid_credentials');
    assertError(unknown, 401, 'invalid_credentials');
    const strip = (r) => ({ ...r.body.error, request_id: undefined });
    assert.deepEqual(strip(wrong), strip(unknown), 'the 401 must not reveal which part was wrong');
    assert.equal(wrong.setCookies.length + unknown.setCookies.length, 0);
    assertUnchanged(server.db, before_);
  });

  test('me without a session, or with a bad one, is 401', async () => {
    assertError(await request(base, 'GET', '/api/auth/me'), 401, 'unauthenticated');
    assertError(
      await request(base, 'GET', '/api/auth/me', { headers: { Cookie: 'chorus_session=forged' } }),
      401,
    );
    const long = 'x'.repeat(500);
    assertError(
      await request(base, 'GET', '/api/auth/me', { headers: { Cookie: `chorus_session=${long}` } }),
      401,
    );
  });

  test('logout clears the cookie and invalidates the session on the server', async () => {
    const c = new Client(base);
    const reg = await c.register(uniqueName('out'), 'password123');
    const token = c.session;
    const userId = reg.body.user.id;
    assert.equal(server.db.count('sessions', `user_id = ${userId}`), 1);
    const res = await c.logout();
    assert.equal(res.status, 204);
    const cleared = sessionCookie(res);
    assert.equal(cleared.value, '');
    assert.equal(cleared.attrs['max-age'], '0');
    assert.equal(server.db.count('sessions', `user_id = ${userId}`), 0);
    // A client that kept the old cookie is no longer signed in.
    const replay = await request(base, 'GET', '/api/auth/me', {
      headers: { Cookie: `chorus_session=${token}` },
    });
    assertError(replay, 401);
    // Logging out again (no session) is harmless.
    assert.equal((await new Client(base).logout()).status, 204);
  });

  test('malformed JSON, wrong types, missing and unknown fields are 400 and write nothing', async () => {
    const cases = [
      [
        'malformed JSON',
        {
          body: '{"username": "abc", "password": ',
          headers: { 'Content-Type': 'application/json' },
        },
        'invalid_json',
      ],
      ['JSON array', { json: ['abc', 'password123'] }, 'invalid_json'],
      ['JSON string', { json: 'abc' }, 'invalid_json'],
      [
        'empty body',
        { body: '', headers: { 'Content-Type': 'application/json' } },
        'missing_field',
      ],
      ['username a number', { json: { username: 12345, password: 'password123' } }],
      ['password null', { json: { username: uniqueName('t'), password: null } }],
      ['password an object', { json: { username: uniqueName('t'), password: { a: 1 } } }],
      ['missing password', { json: { username: uniqueName('t') } }, 'missing_field'],
      ['missing username', { json: { password: 'password123' } }, 'missing_field'],
      [
        'unknown field',
        { json: { username: uniqueName('t'), password: 'password123', role: 'admin' } },
        'unknown_field',
      ],
      ['username too short', { json: { username: 'ab', password: 'password123' } }],
      ['username too long', { json: { username: 'a'.repeat(33), password: 'password123' } }],
      ['username with a space', { json: { username: 'bad name', password: 'password123' } }],
      ['username with a quote', { json: { username: "o'neil", password: 'password123' } }],
      ['password too short', { json: { username: uniqueName('t'), password: 'short' } }],
      ['password too long', { json: { username: uniqueName('t'), password: 'p'.repeat(129) } }],
    ];
    for (const [what, options, code] of cases) {
      const before_ = snapshot(server.db);
      const res = await request(base, 'POST', '/api/auth/register', options);
      assert.equal(res.status, 400, `${what}: ${res.status} ${res.text}`);
      assertError(res, 400, code);
      assertUnchanged(server.db, before_, what);
    }
    // Login validates the same way and never signs anyone in.
    const before_ = snapshot(server.db);
    assertError(await request(base, 'POST', '/api/auth/login', cases[0][1]), 400, 'invalid_json');
    assertError(
      await request(base, 'POST', '/api/auth/login', {
        json: { username: kAdminUser, password: kAdminPassword, x: 1 },
      }),
      400,
      'unknown_field',
    );
    assertError(
      await request(base, 'POST', '/api/auth/login', {
        json: { username: kAdminUser, password: 7 },
      }),
      400,
    );
    assertUnchanged(server.db, before_, 'login');
  });

  test('an oversized body is 413 and writes nothing', async () => {
    const before_ = snapshot(server.db);
    const res = await request(base, 'POST', '/api/auth/register', {
      json: { username: uniqueName('big'), password: 'p'.repeat(70 * 1024) },
    });
    assertError(res, 413, 'body_too_large');
    assertUnchanged(server.db, before_);
  });

  test('a cross-site form post cannot register, log in or log out', async () => {
    const name = uniqueName('csrf');
    const form = `username=${name}&password=password123`;
    const attempts = [
      [
        'HTML form content type',
        { body: form, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
        415,
      ],
      [
        'text/plain',
        {
          body: JSON.stringify({ username: name, password: 'password123' }),
          headers: { 'Content-Type': 'text/plain' },
        },
        415,
      ],
      [
        'multipart form',
        {
          body: '--b\r\n\r\n--b--',
          headers: { 'Content-Type': 'multipart/form-data; boundary=b' },
        },
        415,
      ],
      [
        'form from evil origin',
        {
          body: form,
          headers: {
            'Content-Type': 'application/x-www-form-urlencoded',
            Origin: 'http://evil.example',
          },
        },
        403,
      ],
      [
        'JSON from evil origin',
        {
          json: { username: name, password: 'password123' },
          headers: { Origin: 'http://evil.example' },
        },
        403,
      ],
      [
        'JSON with Sec-Fetch-Site cross-site',
        {
          json: { username: name, password: 'password123' },
          headers: { 'Sec-Fetch-Site': 'cross-site' },
        },
        403,
      ],
      [
        'form with Sec-Fetch-Site cross-site',
        {
          body: form,
          headers: {
            'Content-Type': 'application/x-www-form-urlencoded',
            'Sec-Fetch-Site': 'cross-site',
          },
        },
        403,
      ],
      [
        'opaque origin',
        { json: { username: name, password: 'password123' }, headers: { Origin: 'null' } },
        403,
      ],
    ];
    for (const [what, options, status] of attempts) {
      const before_ = snapshot(server.db);
      for (const path of ['/api/auth/register', '/api/auth/login']) {
        const res = await request(base, 'POST', path, options);
        assert.equal(res.status, status, `${what} → ${path}: ${res.status} ${res.text}`);
        assertError(res, status);
        assert.equal(res.setCookies.length, 0, what);
      }
      assertUnchanged(server.db, before_, what);
    }
    // Nothing was created under that name: logging in with it fails.
    assertError(
      await new Client(base).post('/api/auth/login', { username: name, password: 'password123' }),
      401,
    );
    // A forged logout leaves the victim signed in.
    const victim = new Client(base);
    await victim.register(uniqueName('victim'), 'password123');
    const before_ = snapshot(server.db);
    const forged = await victim.request('POST', '/api/auth/logout', {
      body: '',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Origin: 'http://evil.example',
      },
    });
    assertError(forged, 403);
    assertUnchanged(server.db, before_, 'forged logout');
    assert.equal((await victim.get('/api/auth/me')).status, 200);
  });

  test('same-origin requests pass the CSRF rule (Origin of the site, X-Requested-With)', async () => {
    const same = await request(base, 'POST', '/api/auth/register', {
      json: { username: uniqueName('same'), password: 'password123' },
      headers: { Origin: base, 'Sec-Fetch-Site': 'same-origin' },
    });
    assert.equal(same.status, 201, same.text);
    const xrw = await request(base, 'POST', '/api/auth/register', {
      body: JSON.stringify({ username: uniqueName('xrw'), password: 'password123' }),
      headers: { 'Content-Type': 'text/plain', 'X-Requested-With': 'fetch' },
    });
    assert.equal(xrw.status, 201, xrw.text);
  });

  test('wrong method on an auth route is 405 with Allow', async () => {
    const res = await request(base, 'GET', '/api/auth/login');
    assertError(res, 405, 'method_not_allowed');
    assert.equal(res.headers.allow, 'POST');
    const me = await request(base, 'POST', '/api/auth/me', { json: {} });
    assertError(me, 405);
    assert.equal(me.headers.allow, 'GET');
  });
});

describe('auth throttling (--login-max-failures-per-user 3)', () => {
  let server;
  before(async () => {
    server = await startServer({ args: ['--login-max-failures-per-user', '3'] });
  });
  after(async () => {
    await server?.stop();
  });

  test('the 4th failure in the window is 429 with Retry-After, even with the right password', async () => {
    const base = server.baseUrl;
    const name = uniqueName('thr');
    await new Client(base).register(name, 'password123');
    for (let i = 0; i < 3; i += 1) {
      assertError(
        await new Client(base).post('/api/auth/login', {
          username: name,
          password: `wrong-${i}-pass`,
        }),
        401,
      );
    }
    const before_ = snapshot(server.db);
    for (const password of ['wrong-again-pass', 'password123']) {
      const res = await new Client(base).post('/api/auth/login', {
        username: name.toUpperCase(),
        password,
      });
      assertError(res, 429, 'too_many_attempts');
      const retry = Number(res.headers['retry-after']);
      assert.ok(
        Number.isInteger(retry) && retry > 0 && retry <= 900,
        `Retry-After: ${res.headers['retry-after']}`,
      );
      assert.equal(res.setCookies.length, 0);
    }
    assertUnchanged(server.db, before_, 'throttled logins');
    // Throttling is per user name: someone else still signs in.
    const other = uniqueName('thr2');
    await new Client(base).register(other, 'password123');
    await new Client(base).login(other, 'password123');
  });
});

describe('auth behind an https public URL', () => {
  let server;
  before(async () => {
    server = await startServer({ args: ['--public-url', 'https://chorus.example'] });
  });
  after(async () => {
    await server?.stop();
  });

  test('the session cookie is Secure, and the public origin passes the CSRF rule', async () => {
    const res = await request(server.baseUrl, 'POST', '/api/auth/register', {
      json: { username: uniqueName('sec'), password: 'password123' },
      headers: { Origin: 'https://chorus.example' },
    });
    assert.equal(res.status, 201, res.text);
    const cookie = sessionCookie(res);
    assert.equal(cookie.attrs.secure, true);
    assert.equal(cookie.attrs.httponly, true);
    assert.equal(cookie.attrs.samesite, 'Lax');
    const c = new Client(server.baseUrl);
    c.cookies.set('chorus_session', cookie.value);
    const out = await c.logout();
    assert.equal(sessionCookie(out).attrs.secure, true);
  });
});
