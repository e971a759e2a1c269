#!/usr/bin/env node
// Fault drill: chorusd SIGKILLed in the middle of a browser call and started again on the same
// ports and data; the browsers must reconnect by themselves and hear each other again.
//
//   node tests/faults/chorusd-kill.mjs [--backend postgres-redis|sqlite] [--down-seconds N]
//                                      [--cycles 3]
//   env: CHORUSD_BIN (default build/chorusd), CHORUS_GUI_DIR (default core/gui/dist)
//
// Runs inside a private network namespace (tests/e2e/lib/netns.mjs; needs root for `ip netns`):
// its own Postgres and Redis there (scripts/test-servers; or SQLite + in-process state with
// --backend sqlite), chorusd announcing 10.78.0.1, and two Debian Chromium users (440 Hz and
// 880 Hz fake microphones) in the stream's voice channel through the real GUI. Each cycle kills
// chorusd with SIGKILL (no shutdown path runs), keeps it down until both pages show the reconnect
// banner (plus --down-seconds), then starts it again with the same ports, data and flags. Checks:
//   call_before         both hear each other's tone
//   cycleN/banner       both pages notice the loss (reconnect banner)
//   cycleN/reconnect    both pages are connected again without any user action, banner gone
//   cycleN/audio_back   both hear each other's tone again (300 ms measurements)
//   cycleN/lists        each page's participant list shows both users again
//   durable             users, sessions and streams rows before the first kill == after the
//                       last recovery; no voice_members/audit_log row lost; both still signed in
// Figures per cycle and their medians, in ms after chorusd answered /healthz again (banners and
// audio_back_ms_after_kill: after the kill).
// Prints PASS/FAIL and FIGURE lines; exits non-zero on failure.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { isolateInNetns, kNetnsAnnounceIp } from '../e2e/lib/netns.mjs';
import { Report } from '../e2e/lib/report.mjs';
import {
  apiCall,
  joinVoice,
  makeToneWav,
  openUser,
  participants,
  waitConnected,
  waitHearing,
} from '../e2e/lib/voice.mjs';
import { freePort, freeUdpPort, waitFor, waitForExit } from '../e2e/lib/wait.mjs';
import { measureRemoteAudio } from '../e2e/lib/voice.mjs';

await isolateInNetns(import.meta.url, { required: true });

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values: opt } = parseArgs({
  options: {
    backend: { type: 'string', default: 'postgres-redis' },
    'down-seconds': { type: 'string', default: '0' },
    cycles: { type: 'string', default: '3' },
  },
});
const kDrill = 'chorusd-kill';
const chorusdBin = process.env.CHORUSD_BIN ?? path.join(repoRoot, 'build', 'chorusd');
const guiDir = process.env.CHORUS_GUI_DIR ?? path.join(repoRoot, 'core', 'gui', 'dist');
const usePostgres = opt.backend === 'postgres-redis';
if (!['postgres-redis', 'sqlite'].includes(opt.backend)) {
  console.log(`FAIL ${kDrill}/setup: unknown backend ${opt.backend}`);
  process.exit(1);
}

const report = new Report();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-faults-chorusd-kill-'));
fs.chmodSync(tmp, 0o755);
const dataDir = path.join(tmp, 'chorusd');
fs.mkdirSync(path.join(dataDir, 'logs'), { recursive: true });
const servers = path.join(repoRoot, 'scripts', 'test-servers');
const users = {};
let server = null;
let pgUrl = null;
let redisUrl = null;

const figure = (name, value) =>
  console.log(
    `FIGURE ${kDrill} ${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`,
  );
const check = (name, fn) => report.check(`${kDrill}/${name}`, fn);

/** Runs a scripts/test-servers function in bash; returns its stdout. */
function testServers(command) {
  return execFileSync('bash', ['-c', `. "${servers}"; ${command}`], {
    encoding: 'utf8',
    timeout: 90_000,
  }).trim();
}

async function startBackends() {
  if (!usePostgres) return;
  const pgPort = await freePort();
  const redisPort = await freePort();
  pgUrl = testServers(`pg_start "${tmp}/pg" ${pgPort}`).split('\n').pop();
  redisUrl = testServers(`redis_start "${tmp}/redis" ${redisPort}`).split('\n').pop();
}

function stopBackends() {
  if (!usePostgres) return;
  try {
    testServers(`redis_stop "${tmp}/redis"; pg_stop "${tmp}/pg"`);
  } catch (error) {
    console.log(`note: stopping Postgres/Redis: ${error.message}`);
  }
}

/** Starts chorusd with fixed ports and data; resolves when /healthz answers (20 s). */
async function startChorusd(ports, label) {
  const args = [
    '--listen',
    `127.0.0.1:${ports.http}`,
    '--data-dir',
    dataDir,
    '--log-dir',
    path.join(dataDir, 'logs'),
    '--gui-dir',
    guiDir,
    '--rtc-udp-port',
    String(ports.udp),
    '--rtc-announce-ip',
    kNetnsAnnounceIp,
    '--register-max-per-address',
    '1000',
  ];
  if (pgUrl) args.push('--database-url', pgUrl, '--redis-url', redisUrl);
  const out = fs.openSync(path.join(dataDir, `chorusd-${label}.out`), 'a');
  const child = spawn(chorusdBin, args, {
    cwd: dataDir,
    env: { ...process.env, CHORUS_BOOTSTRAP_ADMIN: 'admin:adminpass123' },
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  const baseUrl = `http://127.0.0.1:${ports.http}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`chorusd exited (${child.exitCode ?? child.signalCode})`);
      return (await fetch(`${baseUrl}/healthz`)).ok;
    },
    { timeoutMs: 20_000, intervalMs: 50, what: `${baseUrl}/healthz` },
  );
  return { child, baseUrl, pid: child.pid };
}

async function stopChorusd() {
  if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill('SIGTERM');
  if (!(await waitForExit(server.child, 10_000))) {
    server.child.kill('SIGKILL');
    await waitForExit(server.child, 5_000);
  }
}

/** Like waitHearing, with 300 ms measurements (finer timing of when the tone is back). */
async function waitHearingFast(page, hz, timeoutMs) {
  let last = [];
  try {
    return await waitFor(
      async () => {
        last = await measureRemoteAudio(page, 300);
        return last.find((s) => s.rms > 0.01 && s.peakHz !== null && Math.abs(s.peakHz - hz) <= 25);
      },
      { timeoutMs, intervalMs: 50, what: `a ${hz} Hz tone on a remote <audio>` },
    );
  } catch (error) {
    throw new Error(`${error.message}; last measurement ${JSON.stringify(last)}`);
  }
}

/** Row counts of the durable tables, from the database chorusd uses. */
function rowCounts() {
  const tables = ['users', 'sessions', 'streams', 'voice_rooms', 'voice_members', 'audit_log'];
  const sql = tables.map((t) => `SELECT '${t}', count(*) FROM ${t};`).join(' ');
  const text = pgUrl
    ? execFileSync('/usr/lib/postgresql/15/bin/psql', [pgUrl, '-At', '-F', '=', '-c', sql], {
        encoding: 'utf8',
      })
    : execFileSync('sqlite3', ['-separator', '=', path.join(dataDir, 'chorus.db'), sql], {
        encoding: 'utf8',
      });
  return Object.fromEntries(
    text
      .trim()
      .split('\n')
      .map((line) => {
        const [t, n] = line.split('=');
        return [t, Number(n)];
      }),
  );
}

console.log(
  `== ${kDrill}: ${new Date().toISOString()}, ${os.cpus().length} cores, load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}, backend ${opt.backend}, logs in ${tmp}`,
);
const cleanup = async () => {
  for (const u of Object.values(users)) await u?.chrome?.close().catch(() => {});
  await stopChorusd();
  stopBackends();
};
process.on('SIGTERM', async () => {
  await cleanup();
  process.exit(1);
});

const ports = { http: await freePort(), udp: await freeUdpPort() };
const suffix = `${process.pid}`;
const names = { ann: `ann_${suffix}`, bob: `bob_${suffix}` };
let streamId = 1;
let rowsBefore = null;
try {
  const ready = await check('setup', async () => {
    if (!fs.existsSync(path.join(guiDir, 'index.html')))
      throw new Error(`${guiDir}/index.html not found (make gui, or set CHORUS_GUI_DIR)`);
    await startBackends();
    server = await startChorusd(ports, 'first');
    users.ann = await openUser({
      baseUrl: server.baseUrl,
      username: names.ann,
      password: 'fault-password-1',
      wav: makeToneWav(tmp, 440, 120),
    });
    users.bob = await openUser({
      baseUrl: server.baseUrl,
      username: names.bob,
      password: 'fault-password-1',
      wav: makeToneWav(tmp, 880, 120),
    });
    const streams = await apiCall(users.ann.page, 'GET', '/api/streams');
    const stream = streams.streams.find((s) => s.voice?.enabled);
    if (!stream) throw new Error(`no voice-enabled stream in ${JSON.stringify(streams)}`);
    streamId = stream.id;
  });
  if (!ready) throw new Error('setup failed');
  const { ann, bob } = users;

  await check('call_before', async () => {
    await joinVoice(ann.page, streamId);
    await joinVoice(bob.page, streamId);
    await waitHearing(ann.page, 880, 30_000);
    await waitHearing(bob.page, 440, 30_000);
  });
  rowsBefore = rowCounts();

  const downMs = Number(opt['down-seconds']) * 1000;
  const cycles = [];
  for (let cycle = 1; cycle <= Number(opt.cycles); cycle++) {
    const c = { cycle };
    const tKill = Date.now();
    process.kill(server.pid, 'SIGKILL');
    await waitForExit(server.child, 5_000);
    await check(`cycle${cycle}/banner`, async () => {
      await ann.page.getByTestId('voice-reconnect-banner').waitFor({ timeout: 20_000 });
      await bob.page.getByTestId('voice-reconnect-banner').waitFor({ timeout: 20_000 });
      c.kill_to_both_banners_ms = Date.now() - tKill;
    });
    if (downMs > 0) {
      // The outage the drill asks for: chorusd stays down while the pages keep retrying.
      await waitFor(async () => Date.now() - tKill >= downMs, {
        timeoutMs: downMs + 1000,
        intervalMs: 100,
        what: 'the requested downtime',
      });
    }
    const tRestart = Date.now();
    server = await startChorusd(ports, `cycle${cycle}`);
    const tUp = Date.now();
    c.down_ms = tUp - tKill;
    c.restart_to_healthy_ms = tUp - tRestart;
    await check(`cycle${cycle}/reconnect`, async () => {
      await Promise.all(
        Object.entries({ ann, bob }).map(async ([who, u]) => {
          await waitConnected(u.page, 60_000);
          c[`${who}_connected_ms`] = Date.now() - tUp;
        }),
      );
      for (const u of [ann, bob])
        await u.page.getByTestId('voice-reconnect-banner').waitFor({ state: 'detached' });
    });
    await check(`cycle${cycle}/audio_back`, async () => {
      await Promise.all([
        waitHearingFast(ann.page, 880, 45_000).then(() => {
          c.ann_hears_bob_ms = Date.now() - tUp;
        }),
        waitHearingFast(bob.page, 440, 45_000).then(() => {
          c.bob_hears_ann_ms = Date.now() - tUp;
        }),
      ]);
      c.audio_back_ms_after_kill = Date.now() - tKill;
    });
    await check(`cycle${cycle}/lists`, async () => {
      // Each page's participant list catches up through its event stream: both users on both.
      const problems = [];
      for (const [who, u] of Object.entries({ ann, bob })) {
        let list = [];
        try {
          await waitFor(
            async () => {
              list = (await participants(u.page)).map((p) => p.username);
              return list.includes(names.ann) && list.includes(names.bob);
            },
            { timeoutMs: 20_000, intervalMs: 200, what: `${who}'s participant list` },
          );
        } catch {
          problems.push(`${who}'s participant list 20 s after recovery: ${JSON.stringify(list)}`);
        }
      }
      if (problems.length) {
        const roster = await apiCall(ann.page, 'GET', `/api/voice/streams/${streamId}/roster`);
        problems.push(`GET roster: ${JSON.stringify(roster.map((m) => m.username))}`);
        throw new Error(problems.join('; '));
      }
    });
    figure(`cycle${cycle}`, c);
    cycles.push(c);
  }
  const median = (key) => {
    const v = cycles.map((c) => c[key]).filter((x) => typeof x === 'number');
    v.sort((a, b) => a - b);
    return v.length ? v[Math.floor(v.length / 2)] : null;
  };
  figure(
    'median_ms',
    Object.fromEntries(
      [
        'kill_to_both_banners_ms',
        'restart_to_healthy_ms',
        'ann_connected_ms',
        'bob_connected_ms',
        'ann_hears_bob_ms',
        'bob_hears_ann_ms',
        'audio_back_ms_after_kill',
      ].map((k) => [k, median(k)]),
    ),
  );

  await check('durable', async () => {
    const after = rowCounts();
    figure('rows_before', rowsBefore);
    figure('rows_after', after);
    const problems = [];
    for (const t of ['users', 'sessions', 'streams'])
      if (after[t] !== rowsBefore[t]) problems.push(`${t}: ${rowsBefore[t]} → ${after[t]}`);
    for (const t of ['voice_rooms', 'voice_members', 'audit_log'])
      if (!(after[t] >= rowsBefore[t]))
        problems.push(`${t} lost rows: ${rowsBefore[t]} → ${after[t]}`);
    for (const [who, u] of Object.entries({ ann, bob })) {
      const me = await apiCall(u.page, 'GET', '/api/auth/me');
      if (me?.user?.username !== names[who]) problems.push(`${who} is not signed in any more`);
    }
    if (problems.length) throw new Error(problems.join('; '));
  });
  for (const [who, u] of Object.entries({ ann, bob }))
    if (u.page.errors.length)
      console.log(`  note: ${who} page errors: ${u.page.errors.join(' | ')}`);
} catch (error) {
  if (report.failed === 0) report.fail(`${kDrill}/run`, error);
} finally {
  await cleanup();
}
console.log(`${kDrill}: ${report.passed} passed, ${report.failed} failed`);
if (report.failed === 0 && !process.env.KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true });
else console.log(`logs kept in ${tmp}`);
process.exit(report.exitCode);
