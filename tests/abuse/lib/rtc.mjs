// A minimal /rtc WebSocket client for the abuse tests, on node:net only (RFC 6455): the upgrade
// goes out with exactly the headers a test chooses (Origin, Cookie, …); client frames are masked
// text frames; server frames are read unmasked, fragmented messages are reassembled, pings are
// answered, and a close frame or the end of the TCP connection resolves `closed`. Plus helpers
// to join a voice room through REST and then over /rtc, and to read /metrics.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { request } from '../../api/lib/http.mjs';
import { repoRoot, startServer } from '../../api/lib/server.mjs';
import { waitFor } from '../../api/lib/wait.mjs';

/** A real Chromium offer (audio, BUNDLE, rtcp-mux): the SFU accepts it without ICE/DTLS. */
export const chromiumOffer = fs.readFileSync(
  path.join(repoRoot, 'tests/data/sdp/chromium-offer.sdp'),
  'utf8',
);

const kGuid = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const kConnectTimeoutMs = 10_000;
const kWaitMs = 5_000;

/** Messages as JSON for failure text, with SDP answers shortened. */
export function describeMessages(messages) {
  return JSON.stringify(
    messages.map((m) =>
      typeof m?.answer === 'string' ? { ...m, answer: `(${m.answer.length} chars)` } : m,
    ),
  );
}

const kOpContinuation = 0x0;
const kOpText = 0x1;
const kOpBinary = 0x2;
const kOpClose = 0x8;
const kOpPing = 0x9;
const kOpPong = 0xa;

/** One masked client frame (FIN set). */
function encodeFrame(opcode, payload) {
  const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload ?? '', 'utf8');
  const len = data.length;
  let header;
  if (len < 126) {
    header = Buffer.alloc(2);
    header[1] = 0x80 | len;
  } else if (len < 0x10000) {
    header = Buffer.alloc(4);
    header[1] = 0x80 | 126;
    header.writeUInt16BE(len, 2);
  } else {
    header = Buffer.alloc(10);
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(len), 2);
  }
  header[0] = 0x80 | opcode;
  const mask = crypto.randomBytes(4);
  const masked = Buffer.alloc(len);
  for (let i = 0; i < len; i += 1) masked[i] = data[i] ^ mask[i & 3];
  return Buffer.concat([header, mask, masked]);
}

/**
 * Parses as many complete frames as `buffer` holds; returns { frames, rest }. Each frame is
 * { fin, opcode, payload } (unmasked when the server masked it, which it must not).
 */
function decodeFrames(buffer) {
  const frames = [];
  let off = 0;
  for (;;) {
    if (buffer.length - off < 2) break;
    const b0 = buffer[off];
    const b1 = buffer[off + 1];
    let len = b1 & 0x7f;
    let pos = off + 2;
    if (len === 126) {
      if (buffer.length - pos < 2) break;
      len = buffer.readUInt16BE(pos);
      pos += 2;
    } else if (len === 127) {
      if (buffer.length - pos < 8) break;
      len = Number(buffer.readBigUInt64BE(pos));
      pos += 8;
    }
    const masked = (b1 & 0x80) !== 0;
    let mask = null;
    if (masked) {
      if (buffer.length - pos < 4) break;
      mask = buffer.subarray(pos, pos + 4);
      pos += 4;
    }
    if (buffer.length - pos < len) break;
    let payload = Buffer.from(buffer.subarray(pos, pos + len));
    if (mask) for (let i = 0; i < len; i += 1) payload[i] ^= mask[i & 3];
    frames.push({ fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, payload, masked });
    off = pos + len;
  }
  return { frames, rest: buffer.subarray(off) };
}

/**
 * Opens `<baseUrl>/rtc` as a WebSocket. Options: `origin` (Origin header; none when undefined),
 * `headers` (more request headers, e.g. Cookie), `path` (default '/rtc'). Resolves once the
 * server has answered the upgrade:
 *   { status, headers, text, body,               // the HTTP answer (text/body when not 101)
 *     messages[], waitFor(pred, ms, what), send(obj), sendRaw(opcode, payload),
 *     pause(), resume(), close(), closed, closeFrame, closedAt, protocolErrors[], socket }
 * `closed` resolves { by: 'close-frame'|'end'|'error', code, reason, at } when the server sends
 * a close frame or the connection ends (for a refused upgrade: at once after the answer).
 */
export function openRtc(baseUrl, { origin, headers = {}, path: urlPath = '/rtc' } = {}) {
  const url = new URL(urlPath, baseUrl);
  const key = crypto.randomBytes(16).toString('base64');
  const expectedAccept = crypto
    .createHash('sha1')
    .update(key + kGuid)
    .digest('base64');
  const lines = [
    `GET ${url.pathname}${url.search} HTTP/1.1`,
    `Host: ${url.host}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${key}`,
    'Sec-WebSocket-Version: 13',
  ];
  if (origin !== undefined) lines.push(`Origin: ${origin}`);
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);

  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port) });
    socket.setNoDelay(true);
    const conn = {
      status: null,
      headers: {},
      text: '',
      body: undefined,
      messages: [],
      protocolErrors: [],
      closeFrame: null,
      closedAt: null,
      socket,
    };
    const waiters = [];
    let resolveClosed;
    conn.closed = new Promise((r) => (resolveClosed = r));
    let isClosed = false;
    const markClosed = (by, code = null, reason = '') => {
      if (isClosed) return;
      isClosed = true;
      conn.closedAt = Date.now();
      resolveClosed({ by, code, reason, at: conn.closedAt });
      for (const w of waiters.splice(0)) {
        clearTimeout(w.timer);
        w.reject(
          new Error(`/rtc closed (${by}) before ${w.what}; got ${describeMessages(conn.messages)}`),
        );
      }
    };
    const deliver = (msg) => {
      conn.messages.push(msg);
      for (const w of [...waiters]) {
        if (w.pred(msg)) {
          waiters.splice(waiters.indexOf(w), 1);
          clearTimeout(w.timer);
          w.resolve(msg);
        }
      }
    };

    const writeFrame = (opcode, payload) => {
      if (socket.destroyed || socket.writableEnded) return false;
      socket.write(encodeFrame(opcode, payload));
      return true;
    };
    conn.send = (obj) => writeFrame(kOpText, typeof obj === 'string' ? obj : JSON.stringify(obj));
    conn.sendRaw = (opcode, payload) => writeFrame(opcode, payload);
    conn.pause = () => socket.pause();
    conn.resume = () => socket.resume();
    let sentClose = false;
    conn.close = () => {
      if (!sentClose) {
        sentClose = true;
        const p = Buffer.alloc(2);
        p.writeUInt16BE(1000, 0);
        writeFrame(kOpClose, p);
      }
      if (!socket.destroyed) socket.end();
      const t = setTimeout(() => socket.destroy(), 1_000);
      t.unref();
    };
    /** The first message (seen or to come) matching `pred`; rejects after `ms` or on close. */
    conn.waitFor = (pred, ms = kWaitMs, what = 'a matching /rtc message') => {
      const found = conn.messages.find(pred);
      if (found) return Promise.resolve(found);
      if (isClosed) {
        return Promise.reject(
          new Error(`/rtc already closed, no ${what}; got ${describeMessages(conn.messages)}`),
        );
      }
      return new Promise((res, rej) => {
        const w = { pred, resolve: res, reject: rej, what };
        w.timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          rej(
            new Error(
              `timed out after ${ms} ms waiting for ${what}; got ${describeMessages(conn.messages)}`,
            ),
          );
        }, ms);
        waiters.push(w);
      });
    };

    let head = Buffer.alloc(0);
    let upgraded = false;
    let answered = false;
    let pending = Buffer.alloc(0);
    let fragments = null; // { opcode, parts[] } of a fragmented message
    const connectTimer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${url}: no answer to the upgrade in ${kConnectTimeoutMs} ms`));
    }, kConnectTimeoutMs);

    const onFrames = (data) => {
      pending = pending.length ? Buffer.concat([pending, data]) : data;
      const { frames, rest } = decodeFrames(pending);
      pending = Buffer.from(rest);
      for (const f of frames) {
        if (f.masked) conn.protocolErrors.push('server frame was masked');
        if (f.opcode === kOpPing) {
          writeFrame(kOpPong, f.payload);
        } else if (f.opcode === kOpPong) {
          // Unsolicited pong: ignore.
        } else if (f.opcode === kOpClose) {
          const code = f.payload.length >= 2 ? f.payload.readUInt16BE(0) : null;
          const reason = f.payload.length > 2 ? f.payload.subarray(2).toString('utf8') : '';
          conn.closeFrame = { code, reason };
          if (!sentClose) {
            sentClose = true;
            writeFrame(kOpClose, f.payload.subarray(0, 2));
          }
          markClosed('close-frame', code, reason);
          if (!socket.destroyed) socket.end();
        } else if (f.opcode === kOpContinuation) {
          if (!fragments) {
            conn.protocolErrors.push('continuation without a first fragment');
            continue;
          }
          fragments.parts.push(f.payload);
          if (f.fin) {
            const whole = Buffer.concat(fragments.parts);
            const op = fragments.opcode;
            fragments = null;
            onMessage(op, whole);
          }
        } else if (f.opcode === kOpText || f.opcode === kOpBinary) {
          if (fragments) conn.protocolErrors.push('new message inside a fragmented one');
          if (f.fin) onMessage(f.opcode, f.payload);
          else fragments = { opcode: f.opcode, parts: [f.payload] };
        } else {
          conn.protocolErrors.push(`unknown opcode ${f.opcode}`);
        }
      }
    };
    const onMessage = (opcode, payload) => {
      const text = payload.toString('utf8');
      if (opcode !== kOpText) {
        conn.protocolErrors.push('binary message');
        deliver({ type: '(binary)', raw: text });
        return;
      }
      try {
        deliver(JSON.parse(text));
      } catch {
        conn.protocolErrors.push(`not JSON: ${text.slice(0, 200)}`);
        deliver({ type: '(invalid)', raw: text });
      }
    };

    socket.on('connect', () => socket.write(`${lines.join('\r\n')}\r\n\r\n`));
    socket.on('data', (data) => {
      if (upgraded) {
        onFrames(data);
        return;
      }
      head = Buffer.concat([head, data]);
      if (answered) return; // a refused upgrade: collecting its body
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [statusLine, ...headerLines] = head.subarray(0, end).toString('latin1').split('\r\n');
      conn.status = Number(statusLine.split(' ')[1]);
      for (const line of headerLines) {
        const i = line.indexOf(':');
        if (i > 0) conn.headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      const rest = head.subarray(end + 4);
      clearTimeout(connectTimer);
      answered = true;
      if (conn.status === 101) {
        if (conn.headers['sec-websocket-accept'] !== expectedAccept)
          conn.protocolErrors.push('wrong Sec-WebSocket-Accept');
        upgraded = true;
        head = Buffer.alloc(0);
        resolve(conn);
        if (rest.length) onFrames(Buffer.from(rest));
        return;
      }
      // Refused: read the body (Content-Length, else to the end), then resolve.
      head = Buffer.from(rest);
      const length = Number(conn.headers['content-length'] ?? NaN);
      const finish = () => {
        conn.text = head.toString('utf8');
        try {
          conn.body = JSON.parse(conn.text);
        } catch {
          conn.body = undefined;
        }
        markClosed('end');
        socket.destroy();
        resolve(conn);
      };
      if (Number.isFinite(length)) {
        const check = () => {
          if (head.length >= length) {
            head = head.subarray(0, length);
            finish();
            return true;
          }
          return false;
        };
        if (!check()) socket.on('data', () => check());
      } else {
        socket.once('end', finish);
      }
    });
    socket.on('end', () => {
      if (!answered) {
        clearTimeout(connectTimer);
        reject(new Error(`${url}: connection ended before an answer to the upgrade`));
        return;
      }
      markClosed('end');
    });
    socket.on('close', () => {
      if (!answered) {
        clearTimeout(connectTimer);
        reject(new Error(`${url}: connection closed before an answer to the upgrade`));
        return;
      }
      markClosed('end');
    });
    socket.on('error', (error) => {
      if (!answered) {
        clearTimeout(connectTimer);
        reject(new Error(`${url}: ${error.message}`));
        return;
      }
      markClosed('error', null, error.message);
    });
  });
}

/** POST /api/voice/streams/{id}/join with `{}` for `client`; asserts 200 and returns the body. */
export async function joinVoice(client, streamId) {
  const res = await client.post(`/api/voice/streams/${streamId}/join`, {});
  assert.equal(res.status, 200, `voice join: ${res.status} ${res.text}`);
  return res.body;
}

/**
 * Opens /rtc and sends `join` with `token` and the Chromium offer; resolves the connection with
 * `reply` = the first `joined` or `error` message. Options as openRtc, plus `offer`.
 */
export async function rtcJoin(baseUrl, token, { offer = chromiumOffer, ...options } = {}) {
  const conn = await openRtc(baseUrl, options);
  assert.equal(conn.status, 101, `/rtc upgrade: ${conn.status} ${conn.text}`);
  conn.send({ type: 'join', token, offer });
  conn.reply = await conn.waitFor(
    (m) => m.type === 'joined' || m.type === 'error',
    10_000,
    'the reply to join',
  );
  return conn;
}

/** REST join then /rtc join; asserts `joined` and returns { join (REST body), rtc }. */
export async function joinWithMedia(client, streamId) {
  const join = await joinVoice(client, streamId);
  const rtc = await rtcJoin(client.baseUrl, join.token);
  assert.equal(rtc.reply.type, 'joined', `/rtc join: ${describeMessages([rtc.reply])}`);
  return { join, rtc };
}

/** The value of an unlabelled gauge or counter in GET /metrics (null when absent). */
export async function metric(baseUrl, name) {
  const res = await request(baseUrl, 'GET', '/metrics');
  assert.equal(res.status, 200, `/metrics: ${res.status}`);
  const line = res.text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? null : Number(line.slice(name.length + 1));
}

/** chorus_sfu_participants now. */
export function sfuParticipants(baseUrl) {
  return metric(baseUrl, 'chorus_sfu_participants');
}

/** Waits (bounded) until chorus_sfu_participants equals `n`; returns the ms it took. */
export async function waitParticipants(baseUrl, n, { timeoutMs = 5_000, what } = {}) {
  const start = Date.now();
  let last = null;
  await waitFor(
    async () => {
      last = await sfuParticipants(baseUrl);
      return last === n;
    },
    {
      timeoutMs,
      intervalMs: 25,
      what: what ?? `chorus_sfu_participants = ${n}`,
    },
  ).catch((error) => {
    throw new Error(`${error.message} (last value ${last})`);
  });
  return Date.now() - start;
}

/** Text that must never reach a client: backend names, driver and exception text. */
const kLeaks =
  /redis|postgres|psql|sqlite|libpq|hiredis|connection refused|ECONNREFUSED|exception|what\(\)|std::|errno/i;

/** Asserts an error message says nothing about the backends or internals. */
export function assertCleanMessage(message, what = 'error message') {
  assert.equal(typeof message, 'string', `${what} is not a string`);
  assert.doesNotMatch(message, kLeaks, `${what} leaks internals: ${message}`);
}

/** Asserts `msg` is a /rtc error with `code` and a clean message. */
export function assertRtcError(msg, code) {
  assert.equal(msg?.type, 'error', `expected an error ${code}, got ${describeMessages([msg])}`);
  assert.equal(msg.code, code, `expected error ${code}, got ${describeMessages([msg])}`);
  assertCleanMessage(msg.message, `error ${code}`);
}

/** The admin creates a stream with voice on (hosted by `hostId` when given); returns its id. */
export async function createVoiceStream(admin, { hostId, title = 'abuse test' } = {}) {
  const res = await admin.post('/api/streams', {
    title,
    voice_enabled: true,
    ...(hostId === undefined ? {} : { host_id: hostId }),
  });
  assert.equal(res.status, 201, `create stream: ${res.status} ${res.text}`);
  return res.body.id;
}

/** Starts chorusd (startServer options) for test context `t`; it is stopped after the test. */
export async function serverFor(t, options = {}) {
  const server = await startServer(options);
  t.after(() => server.stop());
  return server;
}

/** The --redis-url a server was started with (null for in-process state). */
export function redisUrlOf(server) {
  const args = server.child.spawnargs;
  const i = args.indexOf('--redis-url');
  return i < 0 ? null : args[i + 1];
}

/** Runs redis-cli against `url` (redis://host:port[/db]) and returns its trimmed output. */
export function redisCli(url, ...args) {
  const u = new URL(url);
  const db = u.pathname.replace('/', '') || '0';
  return execFileSync('redis-cli', ['-h', u.hostname, '-p', u.port || '6379', '-n', db, ...args], {
    encoding: 'utf8',
    timeout: 10_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/** Closes every connection in `conns` (tests call it in after hooks). */
export function destroyAll(conns) {
  for (const c of conns) c?.socket?.destroy();
}
