// Issue 9, item 1 — chorusd serving HTTPS itself: a self-signed development certificate
// (--tls-self-signed), HSTS and Secure cookies with an https public URL, a wss:// sfu_url, the
// plain-HTTP redirect listener, and a certificate reload on SIGHUP that new connections see
// while an open event stream and an open /rtc WebSocket stay up.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';
import {
  adminClient,
  freePort,
  newUser,
  parseSetCookie,
  request,
  startServer,
  waitFor,
} from './lib/index.mjs';
import { openEvents } from './lib/voice-harness.mjs';

const voicePath = (id, rest) => `/api/voice/streams/${id}/${rest}`;

/** The SHA-256 fingerprint ("AB:CD:…") of the certificate a new TLS connection is served. */
function servedFingerprint(port) {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const fp = socket.getPeerCertificate().fingerprint256;
      socket.end();
      resolve(fp);
    });
    socket.once('error', reject);
  });
}

/** The SHA-256 fingerprint of a PEM certificate file, in node's format. */
function fileFingerprint(certPath) {
  return new crypto.X509Certificate(fs.readFileSync(certPath)).fingerprint256;
}

/** Writes a fresh EC P-256 self-signed certificate for 127.0.0.1 (openssl CLI). */
function makeCertificate(dir, name) {
  const cert = path.join(dir, `${name}.crt`);
  const key = path.join(dir, `${name}.key`);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-days', '2', '-subj', `/CN=${name}`, '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', key, '-out', cert,
  ], { stdio: 'ignore' });
  return { cert, key };
}

/**
 * Opens a WebSocket to /rtc over TLS (node 20 has no WebSocket client): resolves the upgraded
 * socket; `ping()` sends a masked ping frame and resolves when the pong arrives.
 */
function openRtc(port) {
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: '127.0.0.1',
      port,
      path: '/rtc',
      rejectUnauthorized: false,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': crypto.randomBytes(16).toString('base64'),
      },
    });
    req.once('upgrade', (res, socket) => {
      let closed = false;
      socket.once('close', () => (closed = true));
      const ping = () =>
        new Promise((done, fail) => {
          const onData = (chunk) => {
            if (chunk[0] === 0x8a) {
              socket.off('data', onData);
              done(true);
            }
          };
          socket.on('data', onData);
          socket.once('close', () => fail(new Error('the /rtc socket closed')));
          socket.write(Buffer.from([0x89, 0x80, 1, 2, 3, 4]));
        });
      resolve({ socket, ping, isClosed: () => closed, headers: res.headers });
    });
    req.once('response', (res) => reject(new Error(`/rtc answered ${res.statusCode}`)));
    req.once('error', reject);
    req.end();
  });
}

describe('HTTPS with --tls-self-signed and --http-redirect-listen', () => {
  let server;
  let redirectPort;
  before(async () => {
    redirectPort = await freePort();
    server = await startServer({
      tls: true,
      args: ['--tls-self-signed', '--http-redirect-listen', `127.0.0.1:${redirectPort}`],
    });
  });
  after(async () => {
    await server?.stop();
  });

  test('serves HTTPS with HSTS; the certificate is kept under the data dir', async () => {
    const res = await request(server.baseUrl, 'GET', '/healthz');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers['strict-transport-security'], 'max-age=31536000');
    const certPath = path.join(server.dataDir, 'tls', 'cert.pem');
    assert.ok(fs.existsSync(certPath));
    assert.equal(await servedFingerprint(server.port), fileFingerprint(certPath));
    const cert = new crypto.X509Certificate(fs.readFileSync(certPath));
    assert.match(cert.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
    assert.equal(cert.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  });

  test('session cookies are Secure and the join hands out a wss:// sfu_url', async () => {
    const alice = await newUser(server.baseUrl, 'tls');
    const admin = await adminClient(server.baseUrl);
    const login = await alice.client.login(alice.username, alice.password);
    const cookie = login.setCookies.map(parseSetCookie).find((c) => c.name === 'chorus_session');
    assert.ok(cookie?.attrs.secure, `no Secure attribute: ${login.setCookies}`);
    const created = await admin.post('/api/streams', {
      title: 'tls voice',
      voice_enabled: true,
      host_id: alice.user.id,
    });
    assert.equal(created.status, 201, created.text);
    const join = await alice.client.post(voicePath(created.body.id, 'join'), {});
    assert.equal(join.status, 200, join.text);
    assert.equal(join.body.sfu_url, `wss://127.0.0.1:${server.port}/rtc`);
  });

  test('plain HTTP on the redirect listener gets 308 to the public URL', async () => {
    const res = await request(`http://127.0.0.1:${redirectPort}`, 'GET', '/streams/7?x=1');
    assert.equal(res.status, 308);
    assert.equal(res.headers.location, `https://127.0.0.1:${server.port}/streams/7?x=1`);
  });

  test('a plain-HTTP request on the HTTPS port gets no answer and the server lives on', async () => {
    await assert.rejects(request(`http://127.0.0.1:${server.port}`, 'GET', '/healthz', { timeoutMs: 5_000 }));
    const res = await request(server.baseUrl, 'GET', '/healthz');
    assert.equal(res.status, 200);
  });
});

describe('HTTPS with --tls-cert/--tls-key, reloaded on SIGHUP', () => {
  let server;
  let dir;
  let files;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-tls-'));
    const first = makeCertificate(dir, 'first');
    files = { cert: path.join(dir, 'live.crt'), key: path.join(dir, 'live.key') };
    fs.copyFileSync(first.cert, files.cert);
    fs.copyFileSync(first.key, files.key);
    server = await startServer({
      tls: true,
      args: ['--tls-cert', files.cert, '--tls-key', files.key],
    });
  });
  after(async () => {
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('new connections get the new certificate; an open SSE stream and /rtc socket stay', async () => {
    const before = fileFingerprint(files.cert);
    assert.equal(await servedFingerprint(server.port), before);

    const bob = await newUser(server.baseUrl, 'hup');
    const admin = await adminClient(server.baseUrl);
    const created = await admin.post('/api/streams', {
      title: 'reload',
      voice_enabled: true,
      host_id: bob.user.id,
    });
    assert.equal(created.status, 201, created.text);
    const events = openEvents(bob.client, voicePath(created.body.id, 'events'));
    await events.ready;
    assert.equal(events.status, 200);
    assert.equal(events.headers['x-accel-buffering'], 'no');
    // Responses the handlers write themselves carry HSTS too.
    assert.equal(events.headers['strict-transport-security'], 'max-age=31536000');
    await events.waitFor((e) => e.event === 'hello', 'hello');
    const rtc = await openRtc(server.port);
    assert.equal(rtc.headers['strict-transport-security'], 'max-age=31536000');
    assert.ok(await rtc.ping());

    const second = makeCertificate(dir, 'second');
    fs.copyFileSync(second.cert, files.cert);
    fs.copyFileSync(second.key, files.key);
    const after = fileFingerprint(files.cert);
    assert.notEqual(after, before);
    process.kill(server.pid, 'SIGHUP');
    await waitFor(async () => (await servedFingerprint(server.port)) === after, {
      timeoutMs: 5_000,
      what: 'the reloaded certificate',
    });

    // The open connections kept their TLS session and still work.
    assert.ok(await rtc.ping());
    assert.equal(rtc.isClosed(), false);
    await bob.client.post(voicePath(created.body.id, 'join'), {});
    await events.waitFor((e) => e.json?.type === 'member_joined' || e.event === 'member_joined', 'an event after the reload');
    events.close();
    rtc.socket.destroy();
    assert.equal(server.exitStatus(), null);
  });

  test('a broken certificate file on SIGHUP keeps the old one', async () => {
    const current = await servedFingerprint(server.port);
    fs.writeFileSync(files.cert, 'not a certificate\n');
    process.kill(server.pid, 'SIGHUP');
    // The reload is counted either way; wait for it, then the old certificate is still served.
    await waitFor(
      async () => {
        const m = await request(server.baseUrl, 'GET', '/metrics');
        return /chorus_http_tls_reloads_total\{result="error"\} 1/.test(m.text);
      },
      { timeoutMs: 5_000, what: 'the failed reload to be counted' },
    );
    assert.equal(await servedFingerprint(server.port), current);
  });
});
