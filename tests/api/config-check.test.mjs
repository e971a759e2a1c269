// Issue 9, item 2 — media addresses at start: `chorusd --check` validates the configuration and
// prints what it would serve and announce, then exits; a malformed --rtc-announce-ip stops
// chorusd at start (it used to start and fail every /rtc join with sdp_invalid_argument); a list
// is accepted; HTTP beyond loopback with media announced on loopback gets a loud warning.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { chorusdBinary } from './lib/index.mjs';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-check-'));
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

/** Runs chorusd with `args` (never serving: --check, or a configuration it refuses). */
function chorusd(args) {
  const result = spawnSync(chorusdBinary, ['--data-dir', dataDir, ...args], {
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, CHORUS_ENV_FILE: path.join(dataDir, 'none.env') },
  });
  assert.equal(result.error, undefined, String(result.error));
  return { code: result.status, out: result.stdout + result.stderr };
}

describe('chorusd --check and --rtc-announce-ip', () => {
  test('--check prints what would be served and announced, and exits 0 without serving', () => {
    const { code, out } = chorusd(['--check', '--listen', '127.0.0.1:1', '--rtc-bind', '127.0.0.1']);
    assert.equal(code, 0, out);
    assert.match(out, /http listen\s+127\.0\.0\.1:1 \(HTTP\)/);
    assert.match(out, /media udp\s+127\.0\.0\.1:40000/);
    assert.match(out, /media announced\s+127\.0\.0\.1 \(--rtc-bind\)/);
    assert.match(out, /configuration ok/);
  });

  test('a list is announced in order', () => {
    const { code, out } = chorusd(['--check', '--rtc-announce-ip', '203.0.113.10, 10.0.0.5']);
    assert.equal(code, 0, out);
    assert.match(out, /media announced\s+203\.0\.113\.10, 10\.0\.0\.5 \(--rtc-announce-ip\)/);
  });

  test('unset with a wildcard bind: the default route interface address (or 127.0.0.1 with a warning)', () => {
    const { code, out } = chorusd(['--check', '--rtc-bind', '0.0.0.0']);
    assert.equal(code, 0, out);
    assert.match(out, /media announced\s+\S+ \((the default route's interface \(\S+\)|fallback: no default route)\)/);
    if (/fallback/.test(out)) assert.match(out, /WARNING: no default route/);
  });

  for (const bad of ['10.0.0.1,', '10.0.0.1,,10.0.0.2', 'example.org', '10.0.0.1 10.0.0.2', '0.0.0.0', '10.0.0.1,10.0.0.1']) {
    test(`a malformed --rtc-announce-ip '${bad}' stops chorusd at start with exit 2`, () => {
      for (const args of [['--check'], ['--listen', '127.0.0.1:1']]) {
        const { code, out } = chorusd([...args, '--rtc-announce-ip', bad]);
        assert.equal(code, 2, out);
        assert.match(out, /--rtc-announce-ip/);
      }
    });
  }

  test('HTTP beyond loopback with media on loopback: a loud warning', () => {
    const { code, out } = chorusd(['--check', '--listen', '0.0.0.0:1', '--rtc-announce-ip', '127.0.0.1']);
    assert.equal(code, 0, out);
    assert.match(out, /WARNING: HTTP listens on 0\.0\.0\.0:1 beyond loopback but media is announced on 127\.0\.0\.1/);
  });

  test('a listen address the servers could not bind: --check refuses with exit 2', () => {
    // An env-file comment after a value becomes part of it: the redirect listener would fail at start.
    for (const args of [
      ['--http-redirect-listen', '0.0.0.0:80   # optional'],
      ['--listen', '127.0.0.1'],
      ['--listen', '127.0.0.1:99999'],
    ]) {
      const { code, out } = chorusd(['--check', ...args]);
      assert.equal(code, 2, out);
      assert.match(out, /ERROR: --(listen|http-redirect-listen)/);
    }
  });

  test('a TLS certificate it cannot load: --check refuses with exit 2', () => {
    const missing = path.join(dataDir, 'missing.pem');
    const { code, out } = chorusd(['--check', '--tls-cert', missing, '--tls-key', missing]);
    assert.equal(code, 2, out);
    assert.match(out, /ERROR: TLS/);
    assert.match(out, /configuration refused/);
  });
});
