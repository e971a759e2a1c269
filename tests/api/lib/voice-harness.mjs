// Helpers for the voice API tests (issue 3): a chorusd that can be restarted on the same data
// dir and database, a private redis-server that a test may stop and start again, and a
// Server-Sent-Events reader. Builds on the shared harness (server.mjs, http.mjs, wait.mjs).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { TestDatabase } from './db.mjs';
import { chorusdBinary, guiDist, kAdminPassword, kAdminUser, tailOf } from './server.mjs';
import { freePort, freeUdpPort, waitFor, waitForExit } from './wait.mjs';

const kStartTimeoutMs = 20_000;
const kStopGraceMs = 8_000;

/**
 * A chorusd deployment that survives restarts: one temp data dir and one database (SQLite, or a
 * fresh Postgres database when CHORUS_TEST_POSTGRES_URL is set). `start(extraArgs)` launches
 * chorusd (on a new port each time) and waits for /healthz; `stop()` SIGTERMs it;
 * `destroy()` stops it and removes everything.
 */
export class Deployment {
  constructor({ redisUrl = null, args = [] } = {}) {
    this.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-voice-'));
    this.logDir = path.join(this.dataDir, 'logs');
    fs.mkdirSync(this.logDir, { recursive: true });
    this.db = TestDatabase.forTest(this.dataDir);
    this.redisUrl = redisUrl;
    this.args = args;
    this.child = null;
    this.baseUrl = null;
  }

  async start(extraArgs = []) {
    const port = await freePort();
    const udpPort = await freeUdpPort();
    const args = [
      '--listen', `127.0.0.1:${port}`,
      '--data-dir', this.dataDir,
      '--log-dir', this.logDir,
      '--gui-dir', guiDist,
      '--database-url', this.db.url,
      '--rtc-udp-port', String(udpPort),
      '--rtc-bind', '127.0.0.1',
      ...(this.redisUrl ? ['--redis-url', this.redisUrl] : []),
      ...this.args,
      ...extraArgs,
    ];
    this.consoleLog = path.join(this.logDir, 'console.log');
    const out = fs.openSync(this.consoleLog, 'a');
    this.child = spawn(chorusdBinary, args, {
      cwd: this.dataDir,
      env: {
        ...process.env,
        CHORUS_BOOTSTRAP_ADMIN: `${kAdminUser}:${kAdminPassword}`,
        CHORUS_ENV_FILE: path.join(this.dataDir, 'no.env'),
        CHORUS_REGISTER_MAX_PER_ADDRESS: '1000000', // as in server.mjs
      },
      stdio: ['ignore', out, out],
    });
    fs.closeSync(out);
    this.baseUrl = `http://127.0.0.1:${port}`;
    const child = this.child;
    try {
      await waitFor(
        async () => {
          if (child.exitCode !== null || child.signalCode !== null) throw new Error('chorusd exited early');
          const res = await fetch(`${this.baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
          return res.status === 200;
        },
        { timeoutMs: kStartTimeoutMs, what: `${this.baseUrl}/healthz` },
      );
    } catch (error) {
      throw new Error(`${error.message}\n--- chorusd console (tail) ---\n${tailOf(this.consoleLog)}`);
    }
    return this.baseUrl;
  }

  /** SIGTERM, wait up to graceMs, then SIGKILL; resolves { code, signal, killed }. */
  async stop({ graceMs = kStopGraceMs } = {}) {
    const child = this.child;
    if (!child) return null;
    this.child = null;
    let killed = false;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, graceMs))) {
        killed = true;
        child.kill('SIGKILL');
        await waitForExit(child, kStopGraceMs);
      }
    }
    return { code: child.exitCode, signal: child.signalCode, killed };
  }

  async destroy() {
    await this.stop();
    try {
      this.db.drop();
    } catch {
      // The Postgres server may be gone already.
    }
    if (!process.env.CHORUS_TEST_KEEP) fs.rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** The voice log lines (JSON) written so far. */
  voiceLog() {
    const files = fs.readdirSync(this.logDir).filter((f) => /^voice-\d{4}-\d{2}-\d{2}\.log$/.test(f));
    return files.flatMap((f) =>
      fs
        .readFileSync(path.join(this.logDir, f), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line)),
    );
  }
}

/**
 * A redis-server of this test's own on a free loopback port (no persistence), which the test
 * may stop and start again on the same port. `url`, `start()`, `stop()`.
 */
export class PrivateRedis {
  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-redis-'));
    this.child = null;
    this.port = null;
  }

  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start() {
    if (this.port === null) this.port = await freePort();
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir], {
      stdio: 'ignore',
    });
    await waitFor(
      () =>
        new Promise((resolve) => {
          const s = new net.Socket();
          s.once('error', () => resolve(false));
          s.connect(this.port, '127.0.0.1', () => {
            s.write('PING\r\n');
            s.once('data', (d) => {
              s.destroy();
              resolve(d.toString().startsWith('+PONG'));
            });
          });
        }),
      { timeoutMs: 10_000, what: `redis-server on ${this.port}` },
    );
  }

  async stop() {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    child.kill('SIGKILL');
    await waitForExit(child, 5_000);
  }

  async destroy() {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Opens GET `path` as an event stream with the client's cookies and collects events:
 * `events` (array of { id, event, data }), `waitFor(pred, what)` resolves the first matching
 * event (bounded), `close()`, `ended` (a promise that resolves when the server ends it),
 * `status` and `headers` once connected (await `ready`).
 */
export function openEvents(client, pathname, { headers = {} } = {}) {
  const url = new URL(pathname, client.baseUrl);
  const events = [];
  const waiters = [];
  let resolveEnded;
  const ended = new Promise((r) => (resolveEnded = r));
  let buffer = '';
  const stream = { events, ended, status: null, headers: null, comments: 0 };
  const deliver = (ev) => {
    events.push(ev);
    for (const w of [...waiters]) {
      if (w.pred(ev)) {
        waiters.splice(waiters.indexOf(w), 1);
        clearTimeout(w.timer);
        w.resolve(ev);
      }
    }
  };
  stream.ready = new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? https : http).request(
      {
        rejectUnauthorized: false,
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: 'GET',
        headers: { Accept: 'text/event-stream', Cookie: client.cookieHeader(), ...headers },
        agent: false,
      },
      (res) => {
        stream.status = res.statusCode;
        stream.headers = res.headers;
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          buffer += chunk;
          let sep;
          while ((sep = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, sep);
            buffer = buffer.slice(sep + 2);
            const ev = { id: null, event: 'message', data: '' };
            let isComment = true;
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) continue;
              isComment = false;
              const i = line.indexOf(':');
              const key = i < 0 ? line : line.slice(0, i);
              const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
              if (key === 'id') ev.id = value;
              else if (key === 'event') ev.event = value;
              else if (key === 'data') ev.data += value;
            }
            if (isComment) {
              stream.comments += 1;
              continue;
            }
            if (ev.data === '' && ev.event === 'message') continue; // retry: lines only
            try {
              ev.json = JSON.parse(ev.data);
            } catch {
              ev.json = null;
            }
            deliver(ev);
          }
        });
        res.on('end', () => resolveEnded('end'));
        res.on('close', () => resolveEnded('close'));
        res.on('error', () => resolveEnded('error'));
        resolve(stream);
      },
    );
    req.on('error', (e) => {
      resolveEnded('error');
      reject(e);
    });
    req.end();
    stream.close = () => req.destroy();
  });
  stream.waitFor = (pred, what = 'event', timeoutMs = 10_000) => {
    const found = events.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const w = { pred, resolve };
      w.timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(w), 1);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${JSON.stringify(events.map((e) => e.event))}`));
      }, timeoutMs);
      waiters.push(w);
    });
  };
  return stream;
}
