// Giving each test chorusd a Redis logical database of its own on the shared test Redis
// (CHORUS_TEST_REDIS_URL), so servers running in parallel never see each other's keys.
import { execFileSync } from 'node:child_process';

const kDatabases = 15; // logical dbs 1..15; db 0 holds the claims
const kClaimTtlS = 3600;

function cli(url, ...args) {
  const u = new URL(url);
  return execFileSync('redis-cli', ['-h', u.hostname, '-p', u.port || '6379', ...args], {
    encoding: 'utf8',
    timeout: 10_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/**
 * Claims a free logical database on the Redis of `baseUrl` (SET NX in db 0, one hour TTL),
 * empties it, and returns { url, release() }. Throws when all are taken.
 */
export function claimRedisDb(baseUrl) {
  const owner = `${process.pid}-${Date.now()}`;
  for (let db = 1; db <= kDatabases; db += 1) {
    const key = `chorus-test-claim:${db}`;
    if (cli(baseUrl, '-n', '0', 'SET', key, owner, 'NX', 'EX', String(kClaimTtlS)) !== 'OK')
      continue;
    cli(baseUrl, '-n', String(db), 'FLUSHDB');
    const u = new URL(baseUrl);
    u.pathname = `/${db}`;
    return {
      url: u.toString(),
      release() {
        try {
          cli(baseUrl, '-n', String(db), 'FLUSHDB');
          if (cli(baseUrl, '-n', '0', 'GET', key) === owner) cli(baseUrl, '-n', '0', 'DEL', key);
        } catch {
          // Redis may already be stopped at the end of a run.
        }
      },
    };
  }
  throw new Error(`all ${kDatabases} Redis test databases on ${baseUrl} are claimed`);
}
