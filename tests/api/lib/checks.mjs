// Assertions shared by the API tests: the error shape of DESIGN.md and "nothing was written".
import assert from 'node:assert/strict';

/**
 * Asserts `res` is an error with `status`, the JSON shape {"error":{"code","message",
 * "request_id"}} matching X-Request-Id, and (when given) the error `code`.
 */
export function assertError(res, status, code) {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.text}`);
  assert.match(res.headers['content-type'] ?? '', /^application\/json/);
  assert.ok(res.body?.error, `no error object in ${res.text}`);
  assert.equal(typeof res.body.error.code, 'string');
  assert.equal(typeof res.body.error.message, 'string');
  assert.ok(res.body.error.message.length > 0);
  assert.equal(res.body.error.request_id, res.headers['x-request-id']);
  if (code !== undefined) assert.equal(res.body.error.code, code, res.text);
}

/**
 * Reads what the API tests could change, straight from the database in one client call: users,
 * sessions and the full streams table (so an update is seen, not only an insert). Returns
 * { users, sessions, streams }, each an array of row strings in id order.
 */
export function snapshot(db) {
  const text = (col) => `COALESCE(CAST(${col} AS TEXT), 'NULL')`;
  const row = (...cols) => cols.map(text).join(" || ',' || ");
  const rows = db.query(
    `SELECT 'users', id, ${row('id', 'username_key', 'role', 'password_hash')} FROM users
     UNION ALL SELECT 'sessions', id, ${row('id', 'user_id', 'token_hash', 'expires_at')} FROM sessions
     UNION ALL SELECT 'streams', id, ${row('id', 'title', 'description', 'hls_url', 'host_id', 'voice_enabled', 'updated_at')}
       FROM streams
     ORDER BY 1, 2`,
  );
  const out = { users: [], sessions: [], streams: [] };
  for (const [table, , value] of rows) out[table].push(value);
  return out;
}

/** Asserts the database holds exactly what `before` (a snapshot) saw. */
export function assertUnchanged(db, before, what = 'database') {
  assert.deepEqual(snapshot(db), before, `${what} changed after a refused request`);
}
