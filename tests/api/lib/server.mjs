// Starting and stopping a real chorusd for API tests: a free port, a temp data dir and log dir,
// SQLite by default or a fresh Postgres database when CHORUS_TEST_POSTGRES_URL is set (and a
// Redis logical database of its own when CHORUS_TEST_REDIS_URL is set).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestDatabase } from './db.mjs';
import { request } from './http.mjs';
import { claimRedisDb } from './redis.mjs';
import { freePort, freeUdpPort, waitFor, waitForExit } from './wait.mjs';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const chorusdBinary = path.resolve(repoRoot, process.env.CHORUS_BIN ?? 'build/chorusd');
export const guiDist = path.join(repoRoot, 'core/gui/dist');
export const kAdminUser = 'admin';
export const kAdminPassword = 'adminpass123';

const kStartTimeoutMs = 20_000;
const kStopGraceMs = 5_000;

/** Returns the last `lines` lines of a text file (for failure messages). */
export function tailOf(file, lines = 40) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Starts chorusd and waits (bounded) until GET /healthz answers 200. Options: `args` (extra
 * flags), `env` (extra variables), `redis` (false to keep in-process state even when
 * CHORUS_TEST_REDIS_URL is set), `tls` (the flags in `args` make it serve HTTPS: baseUrl is
 * https://). Returns a server object:
 *   { baseUrl, port, pid, child, dataDir, logDir, mediaDir, consoleLog, db: TestDatabase,
 *     stop({ graceMs }) → Promise<{ code, signal, killed }>, exitStatus() → null | string }
 * stop() sends SIGTERM, waits up to graceMs, then SIGKILLs the PID; it then drops the Postgres
 * database, releases the Redis database and removes the temp dir (kept when the env variable
 * CHORUS_TEST_KEEP is set).
 */
export async function startServer({ args = [], env = {}, redis = true, tls = false } = {}) {
  if (!fs.existsSync(chorusdBinary)) {
    throw new Error(`${chorusdBinary} not found: build it or set CHORUS_BIN`);
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-api-'));
  const logDir = path.join(dataDir, 'logs');
  const mediaDir = path.join(dataDir, 'media');
  fs.mkdirSync(logDir, { recursive: true });
  fs.mkdirSync(mediaDir, { recursive: true });
  const db = TestDatabase.forTest(dataDir);
  const redisClaim =
    redis && process.env.CHORUS_TEST_REDIS_URL
      ? claimRedisDb(process.env.CHORUS_TEST_REDIS_URL)
      : null;
  const port = await freePort();
  const udpPort = await freeUdpPort();
  const fullArgs = [
    '--listen',
    `127.0.0.1:${port}`,
    '--data-dir',
    dataDir,
    '--log-dir',
    logDir,
    '--gui-dir',
    guiDist,
    '--database-url',
    db.url,
    '--rtc-udp-port',
    String(udpPort),
    '--rtc-bind',
    '127.0.0.1',
    ...(redisClaim ? ['--redis-url', redisClaim.url] : []),
    ...args,
  ];
  const consoleLog = path.join(logDir, 'console.log');
  const out = fs.openSync(consoleLog, 'a');
  const child = spawn(chorusdBinary, fullArgs, {
    cwd: dataDir,
    env: {
      ...process.env,
      CHORUS_BOOTSTRAP_ADMIN: `${kAdminUser}:${kAdminPassword}`,
      CHORUS_ENV_FILE: path.join(dataDir, 'no.env'),
      // Tests register many users from 127.0.0.1; a test of the limit passes the flag (flags win).
      CHORUS_REGISTER_MAX_PER_ADDRESS: '1000000',
      ...env,
    },
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  // A spawn failure (binary missing or being replaced) is reported, not thrown as an event.
  let spawnError = null;
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => {
      spawnError = error;
      resolve({ code: null, signal: null, error: error.message });
    });
  });
  // If the test process ends without stop(), the server must not outlive it.
  const killOnExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  let cleaned = false;
  const cleanup = () => {
    if (cleaned) return;
    cleaned = true;
    db.drop();
    redisClaim?.release();
    if (!process.env.CHORUS_TEST_KEEP) fs.rmSync(dataDir, { recursive: true, force: true });
  };
  const stop = async ({ graceMs = kStopGraceMs } = {}) => {
    let killed = false;
    if (!spawnError && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(child.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
      if (!(await waitForExit(child, graceMs))) {
        killed = true;
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
        await waitForExit(child, kStopGraceMs);
      }
    }
    const status = await exited;
    process.removeListener('exit', killOnExit);
    cleanup();
    return { ...status, killed };
  };
  const exitStatus = () => {
    if (spawnError) return `spawn failed: ${spawnError.message}`;
    if (child.signalCode !== null) return `signal ${child.signalCode}`;
    return child.exitCode !== null ? `exit ${child.exitCode}` : null;
  };

  const baseUrl = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  try {
    // The probe returns 'ended' (truthy) when chorusd is gone, so waiting stops at once.
    const outcome = await waitFor(
      async () => {
        if (exitStatus()) return 'ended';
        const res = await request(baseUrl, 'GET', '/healthz', { timeoutMs: 2_000 });
        return res.status === 200 ? 'healthy' : false;
      },
      { timeoutMs: kStartTimeoutMs, intervalMs: 100, what: `${baseUrl}/healthz` },
    );
    if (outcome === 'ended') throw new Error(`chorusd ended early (${exitStatus()})`);
  } catch (error) {
    const tail = tailOf(consoleLog);
    await stop();
    throw new Error(`${error.message}\n--- chorusd console (tail) ---\n${tail}`);
  }
  return {
    baseUrl,
    port,
    udpPort,
    pid: child.pid,
    child,
    dataDir,
    logDir,
    mediaDir,
    consoleLog,
    db,
    stop,
    exitStatus,
  };
}
