// Issue 9, item 5: chorusd behind Debian's nginx with TLS, using the shipped
// deploy/nginx/chorus.conf (only its listen ports, certificate paths and upstream address are
// rewritten). Through nginx over https: HSTS, the http → https redirect, register and sign in
// (Secure cookie), a voice join, the event stream delivering an event at once (unbuffered, not
// gzipped), and the /rtc WebSocket upgrade carrying a join and a ping both ways.
// nginx runs in the foreground from a temp dir (-p), stopped by its PID; traffic stays on loopback.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';
import {
  freePort,
  parseSetCookie,
  repoRoot,
  request,
  startServer,
  tailOf,
  uniqueName,
  waitFor,
  waitForExit,
} from './lib/index.mjs';

const kNginx = '/usr/sbin/nginx';
const kShippedConf = path.join(repoRoot, 'deploy/nginx/chorus.conf');
const kChromiumOffer = fs.readFileSync(path.join(repoRoot, 'tests/data/sdp/chromium-offer.sdp'), 'utf8');
const kRequestTimeoutMs = 15_000;
/** An event must cross the proxy this fast; a buffering proxy holds it until 4–8 KiB pile up. */
const kPromptEventMs = 2_000;
const kWsGuid = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Replaces `from` (which must occur exactly once in `text`) by `to`. */
function replaceOnce(text, from, to) {
  const parts = text.split(from);
  if (parts.length !== 2)
    throw new Error(`deploy/nginx/chorus.conf: expected "${from}" once, found ${parts.length - 1}`);
  return parts.join(to);
}

/** The shipped site file with test ports, a temp certificate and chorusd's port. */
function templateSite({ httpsPort, httpPort, upstreamPort, cert, key }) {
  let conf = fs.readFileSync(kShippedConf, 'utf8');
  conf = replaceOnce(conf, 'server 127.0.0.1:8080;', `server 127.0.0.1:${upstreamPort};`);
  conf = replaceOnce(conf, 'listen 443 ssl http2;', `listen 127.0.0.1:${httpsPort} ssl http2;`);
  conf = replaceOnce(conf, 'listen [::]:443 ssl http2;', '');
  conf = replaceOnce(conf, 'listen 80;', `listen 127.0.0.1:${httpPort};`);
  conf = replaceOnce(conf, 'listen [::]:80;', '');
  conf = replaceOnce(conf, '/etc/letsencrypt/live/chorus.example.com/fullchain.pem', cert);
  conf = replaceOnce(conf, '/etc/letsencrypt/live/chorus.example.com/privkey.pem', key);
  return conf;
}

/**
 * The main configuration around the site file, as Debian's /etc/nginx/nginx.conf has it (plus
 * gzip for event streams and JSON, so the site file's `gzip off` is what keeps events flowing);
 * every path in the temp dir.
 */
function mainConf(dir) {
  return `${process.getuid?.() === 0 ? 'user root;\n' : ''}worker_processes 1;
error_log ${dir}/error.log info;
events { worker_connections 256; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush on;
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  gzip on;
  gzip_min_length 1;
  gzip_types text/event-stream application/json text/plain;
  include ${dir}/chorus.conf;
}
`;
}

/** A self-signed P-256 certificate for 127.0.0.1 in `dir`; returns { cert, key, pem }. */
function makeCertificate(dir) {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], timeout: kRequestTimeoutMs },
  );
  return { cert, key, pem: fs.readFileSync(cert) };
}

/**
 * One https request to nginx, checking its certificate against `ca`. Resolves { status, headers,
 * rawHeaders, setCookies, text, body }.
 */
function httpsRequest(port, ca, method, urlPath, { json, headers = {} } = {}) {
  const payload = json === undefined ? undefined : JSON.stringify(json);
  const h = { ...headers };
  if (payload !== undefined) {
    h['Content-Type'] = 'application/json';
    h['Content-Length'] = Buffer.byteLength(payload);
  }
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port, method, path: urlPath, headers: h, ca, agent: false },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body;
          if ((res.headers['content-type'] ?? '').startsWith('application/json') && text) body = JSON.parse(text);
          resolve({
            status: res.statusCode,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            setCookies: res.headers['set-cookie'] ?? [],
            text,
            body,
          });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(kRequestTimeoutMs, () =>
      req.destroy(new Error(`${method} ${urlPath}: no answer in ${kRequestTimeoutMs} ms`)),
    );
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** A browser-like user through nginx: Origin of the https site and a cookie jar. */
class ProxyUser {
  constructor(port, ca) {
    this.port = port;
    this.ca = ca;
    this.origin = `https://127.0.0.1:${port}`;
    this.cookies = new Map();
  }

  get cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(method, urlPath, json) {
    const headers = { Origin: this.origin };
    if (this.cookies.size) headers.Cookie = this.cookieHeader;
    const res = await httpsRequest(this.port, this.ca, method, urlPath, { json, headers });
    for (const raw of res.setCookies) {
      const c = parseSetCookie(raw);
      this.cookies.set(c.name, c.value);
    }
    return res;
  }
}

/**
 * Opens the event stream through nginx and collects events as they arrive:
 * { response, events: [{ event, data, at }], waitFor(pred, ms, what), close() }.
 */
function openEventStream(user, urlPath) {
  const events = [];
  let buffer = '';
  let req;
  const response = new Promise((resolve, reject) => {
    req = https.request(
      {
        host: '127.0.0.1',
        port: user.port,
        path: urlPath,
        ca: user.ca,
        agent: false,
        headers: {
          Accept: 'text/event-stream',
          'Accept-Encoding': 'gzip',
          Cookie: user.cookieHeader,
          Origin: user.origin,
        },
      },
      (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          buffer += chunk;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = { event: 'message', data: '', at: Date.now() };
            for (const line of block.split('\n')) {
              if (line.startsWith('event:')) event.event = line.slice(6).trim();
              else if (line.startsWith('data:')) event.data += line.slice(5).trim();
            }
            if (block.split('\n').some((l) => !l.startsWith(':'))) events.push(event);
          }
        });
        resolve(res);
      },
    );
    req.on('error', reject);
    req.end();
  });
  return {
    response,
    events,
    waitFor: (pred, timeoutMs, what) => waitFor(() => events.find(pred), { timeoutMs, intervalMs: 20, what }),
    close: () => req.destroy(),
  };
}

/** A masked client text frame (RFC 6455 §5.2). */
function wsFrame(text) {
  const data = Buffer.from(text, 'utf8');
  const len = data.length;
  const header = len < 126 ? Buffer.from([0x81, 0x80 | len]) : Buffer.alloc(4);
  if (len >= 126) {
    assert.ok(len < 0x10000);
    header[0] = 0x81;
    header[1] = 0x80 | 126;
    header.writeUInt16BE(len, 2);
  }
  const mask = crypto.randomBytes(4);
  const masked = Buffer.from(data.map((b, i) => b ^ mask[i & 3]));
  return Buffer.concat([header, mask, masked]);
}

/**
 * Opens /rtc over TLS through nginx with a raw upgrade request. Resolves { status, head,
 * messages, send(obj), waitFor(pred, ms, what), close() } once the HTTP answer is in.
 */
function openRtcOverTls(user) {
  const key = crypto.randomBytes(16).toString('base64');
  const accept = crypto
    .createHash('sha1')
    .update(key + kWsGuid)
    .digest('base64');
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port: user.port, ca: user.ca, ALPNProtocols: ['http/1.1'] }, () => {
      socket.write(
        [
          `GET /rtc HTTP/1.1`,
          `Host: 127.0.0.1:${user.port}`,
          'Upgrade: websocket',
          'Connection: Upgrade',
          `Sec-WebSocket-Key: ${key}`,
          'Sec-WebSocket-Version: 13',
          `Origin: ${user.origin}`,
          `Cookie: ${user.cookieHeader}`,
          '',
          '',
        ].join('\r\n'),
      );
    });
    socket.setTimeout(kRequestTimeoutMs, () => socket.destroy(new Error('/rtc: no answer')));
    const messages = [];
    let buffer = Buffer.alloc(0);
    let head = null;
    let partial = []; // fragments of a text message (RFC 6455 §5.4)
    const parseFrames = () => {
      for (;;) {
        if (buffer.length < 2) return;
        let len = buffer[1] & 0x7f;
        let pos = 2;
        if (len === 126) {
          if (buffer.length < 4) return;
          len = buffer.readUInt16BE(2);
          pos = 4;
        } else if (len === 127) {
          if (buffer.length < 10) return;
          len = Number(buffer.readBigUInt64BE(2));
          pos = 10;
        }
        if (buffer.length < pos + len) return;
        const opcode = buffer[0] & 0x0f;
        const payload = buffer.subarray(pos, pos + len);
        const fin = (buffer[0] & 0x80) !== 0;
        buffer = buffer.subarray(pos + len);
        if (opcode === 0x1 || opcode === 0x0) {
          partial.push(Buffer.from(payload));
          if (fin) {
            messages.push(JSON.parse(Buffer.concat(partial).toString('utf8')));
            partial = [];
          }
        }
      }
    };
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (head === null) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        head = buffer.subarray(0, end).toString('latin1');
        buffer = buffer.subarray(end + 4);
        socket.setTimeout(0);
        const status = Number(head.split(' ')[1]);
        resolve({
          status,
          head,
          acceptOk: new RegExp(`^sec-websocket-accept: ${accept.replace(/[+/]/g, '\\$&')}$`, 'im').test(head),
          messages,
          send: (obj) => socket.write(wsFrame(JSON.stringify(obj))),
          waitFor: (pred, timeoutMs, what) =>
            waitFor(() => messages.find(pred), {
              timeoutMs,
              intervalMs: 20,
              what: `${what}; got ${JSON.stringify(messages).slice(0, 300)}`,
            }),
          close: () => socket.destroy(),
        });
      }
      parseFrames();
    });
    socket.on('error', reject);
  });
}

describe('behind nginx (deploy/nginx/chorus.conf) with TLS', () => {
  let dir;
  let nginx = null;
  let server;
  let port; // nginx https
  let httpPort; // nginx plain http (redirect)
  let ca;
  let streamId;
  const closers = [];

  before(async () => {
    assert.ok(fs.existsSync(kNginx), `${kNginx} missing: run scripts/install-deps (Debian package nginx)`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-nginx-'));
    fs.mkdirSync(path.join(dir, 'tmp'));
    port = await freePort();
    httpPort = await freePort();
    server = await startServer({ args: ['--public-url', `https://127.0.0.1:${port}`] });
    const certificate = makeCertificate(dir);
    ca = certificate.pem;
    fs.writeFileSync(
      path.join(dir, 'chorus.conf'),
      templateSite({
        httpsPort: port,
        httpPort,
        upstreamPort: server.port,
        cert: certificate.cert,
        key: certificate.key,
      }),
    );
    const conf = path.join(dir, 'nginx.conf');
    fs.writeFileSync(conf, mainConf(dir));
    const args = ['-c', conf, '-p', `${dir}/`, '-g', `daemon off; pid ${dir}/nginx.pid;`];
    execFileSync(kNginx, ['-t', ...args], { stdio: ['ignore', 'ignore', 'pipe'], timeout: kRequestTimeoutMs });
    nginx = spawn(kNginx, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    nginx.stderr.on('data', (c) => (stderr += c));
    await waitFor(
      async () => {
        if (nginx.exitCode !== null) throw new Error(`nginx exited ${nginx.exitCode}: ${stderr}`);
        return (await httpsRequest(port, ca, 'GET', '/healthz')).status === 200;
      },
      { timeoutMs: 15_000, what: `nginx on https://127.0.0.1:${port}` },
    ).catch((error) => {
      throw new Error(`${error.message}\n--- nginx error.log ---\n${tailOf(path.join(dir, 'error.log'))}`);
    });

    const admin = new ProxyUser(port, ca);
    assert.equal(
      (await admin.request('POST', '/api/auth/login', { username: 'admin', password: 'adminpass123' })).status,
      200,
    );
    const created = await admin.request('POST', '/api/streams', { title: 'behind nginx', voice_enabled: true });
    assert.equal(created.status, 201, created.text);
    streamId = created.body.id;
  });

  after(async () => {
    for (const close of closers) close();
    if (nginx && nginx.exitCode === null && nginx.signalCode === null) {
      process.kill(nginx.pid, 'SIGTERM'); // nginx's fast shutdown; the workers go with the master
      if (!(await waitForExit(nginx, 5_000))) {
        process.kill(nginx.pid, 'SIGKILL');
        await waitForExit(nginx, 5_000);
      }
    }
    await server?.stop();
    if (dir && !process.env.CHORUS_TEST_KEEP) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('https with one HSTS header; plain http redirects to https', async () => {
    const res = await httpsRequest(port, ca, 'GET', '/healthz');
    assert.equal(res.status, 200);
    const hsts = [];
    for (let i = 0; i < res.rawHeaders.length; i += 2)
      if (res.rawHeaders[i].toLowerCase() === 'strict-transport-security') hsts.push(res.rawHeaders[i + 1]);
    assert.deepEqual(hsts, ['max-age=63072000']);
    const plain = await request(`http://127.0.0.1:${httpPort}`, 'GET', '/streams/1?tab=voice');
    assert.equal(plain.status, 301);
    assert.equal(plain.headers.location, 'https://127.0.0.1/streams/1?tab=voice');
  });

  test('register and sign in through the proxy (Secure cookie); chorusd sees the forwarded Host', async () => {
    const user = new ProxyUser(port, ca);
    const name = uniqueName('px');
    const reg = await user.request('POST', '/api/auth/register', { username: name, password: `pw-${name}-secret` });
    assert.equal(reg.status, 201, reg.text);
    const cookie = parseSetCookie(reg.setCookies.find((c) => c.startsWith('chorus_session=')));
    assert.ok(cookie.attrs.secure, `cookie not Secure: ${reg.setCookies}`);
    user.cookies.clear();
    const login = await user.request('POST', '/api/auth/login', { username: name, password: `pw-${name}-secret` });
    assert.equal(login.status, 200, login.text);
    assert.equal((await user.request('GET', '/api/auth/me')).body.user.username, name);
    // The GUI comes through too (index.html for a client-side route).
    const page = await user.request('GET', `/streams/${streamId}`);
    assert.equal(page.status, 200);
    assert.match(page.headers['content-type'], /text\/html/);
  });

  test('voice: join, the event stream delivers the next event at once, /rtc upgrades and answers', async () => {
    const ann = new ProxyUser(port, ca);
    const bob = new ProxyUser(port, ca);
    for (const u of [ann, bob]) {
      const name = uniqueName('px');
      assert.equal(
        (await u.request('POST', '/api/auth/register', { username: name, password: `pw-${name}-secret` })).status,
        201,
      );
    }
    const join = await ann.request('POST', `/api/voice/streams/${streamId}/join`, {});
    assert.equal(join.status, 200, join.text);
    assert.match(join.body.sfu_url, new RegExp(`^(wss://127\\.0\\.0\\.1:${port})?/rtc$`));

    const events = openEventStream(ann, `/api/voice/streams/${streamId}/events`);
    closers.push(events.close);
    const res = await events.response;
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'], /^text\/event-stream/);
    assert.equal(res.headers['content-encoding'], undefined, 'event stream gzipped by the proxy');
    await events.waitFor((e) => e.event === 'hello', 5_000, 'hello event through nginx');
    const bobJoin = await bob.request('POST', `/api/voice/streams/${streamId}/join`, {});
    assert.equal(bobJoin.status, 200, bobJoin.text);
    const answeredAt = Date.now();
    const joined = await events.waitFor(
      (e) => e.event === 'member_joined',
      kPromptEventMs,
      `member_joined within ${kPromptEventMs} ms (unbuffered)`,
    );
    assert.equal(JSON.parse(joined.data).member.user_id, bobJoin.body.member.user_id);
    assert.ok(joined.at - answeredAt < kPromptEventMs);

    const rtc = await openRtcOverTls(ann);
    closers.push(rtc.close);
    assert.equal(rtc.status, 101, rtc.head);
    assert.ok(rtc.acceptOk, `bad Sec-WebSocket-Accept: ${rtc.head}`);
    rtc.send({ type: 'join', token: join.body.token, offer: kChromiumOffer });
    const answer = await rtc.waitFor((m) => m.type === 'joined' || m.type === 'error', 10_000, 'joined over /rtc');
    assert.equal(answer.type, 'joined', JSON.stringify(answer));
    assert.match(answer.answer, /^v=0/);
    rtc.send({ type: 'ping', t: 4242 });
    await rtc.waitFor((m) => m.type === 'pong' && m.t === 4242, 5_000, 'pong over /rtc');
    rtc.send({ type: 'leave' });
  });
});
