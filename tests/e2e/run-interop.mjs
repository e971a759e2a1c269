// WebRTC interop of Chorus's own SFU (issue 4): two Chromium pages (fake mics playing 440 Hz and
// 880 Hz) join the demo stream's voice through the REST API and /rtc with a bare
// RTCPeerConnection (tests/interop/page.html) and each hears the other: energy on the playing
// remote track, and the right tone through a WebAudio AnalyserNode. Then a python3-aiortc peer
// (tests/interop/aiortc_peer.py, 660 Hz) joins the same room: it hears 440 and 880 Hz and both
// browsers hear 660 Hz. Runs in a private network namespace (required: browsers would otherwise
// gather candidates on the real interface). Prints PASS/FAIL lines; exits non-zero on failure.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { promisify } from 'node:util';
import { launchChromium } from './lib/browser.mjs';
import { startChorusd, tailOf } from './lib/chorusd.mjs';
import { isolateInNetns, kNetnsAnnounceIp } from './lib/netns.mjs';
import { makeTempDir, repoRoot } from './lib/paths.mjs';
import { Report } from './lib/report.mjs';
import { waitFor, waitForExit } from './lib/wait.mjs';

const kStreamId = 1; // the demo stream, voice enabled
const kSlots = 4;
const kOriginPath = '/healthz';
const kPageFile = path.join(repoRoot, 'tests', 'interop', 'page.html');
const kAiortcPeer = path.join(repoRoot, 'tests', 'interop', 'aiortc_peer.py');
const kPython = process.env.CHORUS_PYTHON ?? '/usr/bin/python3';
const kToneSeconds = 10; // Chromium loops the fake-mic file
const kFreqTolerance = 0.03; // ±3 % (the analyser's bins are 5.9 Hz wide at 48 kHz / 8192)
const kMediaTimeoutMs = 20_000;
const kAiortcMinRms = 0.02;
const kAiortcMaxAgeS = 0.5;

await isolateInNetns(import.meta.url, { required: true });

const execFileAsync = promisify(execFile);
const report = new Report();
const dataDir = makeTempDir('chorus-e2e-interop');
const password = 'interop-password-1';
const tag = Date.now().toString(36);
let server = null;
const chromes = [];
let aiortc = null;

/** Stops everything this script started, by PID; safe to call twice. */
async function cleanup() {
  if (aiortc && aiortc.child.exitCode === null && aiortc.child.signalCode === null) {
    aiortc.child.stdin.end();
    if (!(await waitForExit(aiortc.child, 3_000))) {
      aiortc.child.kill('SIGKILL');
      await waitForExit(aiortc.child, 2_000);
    }
  }
  await Promise.all(chromes.splice(0).map((c) => c.close()));
  if (server) await server.stop();
}

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    report.fail('interrupted', new Error(signal));
    cleanup().finally(() => process.exit(1));
  });
}

/** True when `hz` is within the tolerance of `want`. */
function near(hz, want) {
  return typeof hz === 'number' && Math.abs(hz - want) <= want * kFreqTolerance;
}

/** Makes a `seconds`-long 48 kHz mono sine WAV with sox; returns its path. */
async function makeTone(hz) {
  const file = path.join(dataDir, `tone${hz}.wav`);
  await execFileAsync('sox', [
    '-n', '-r', '48000', '-c', '1', '-b', '16', file,
    'synth', String(kToneSeconds), 'sine', String(hz), 'vol', '0.5',
  ]);
  return file;
}

/** Opens the interop page on chorusd's origin in a fresh context of `chrome`; returns the page. */
async function openClient(chrome, name) {
  const context = await chrome.browser.newContext({ baseURL: server.baseUrl });
  const page = await context.newPage();
  page.setDefaultTimeout(kMediaTimeoutMs);
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  // A document of chorusd's own origin and address space, then the client page written into it
  // (see the comment at the top of page.html).
  await page.goto(kOriginPath);
  await page.setContent(fs.readFileSync(kPageFile, 'utf8'));
  await page.waitForFunction(() => window.chorusInterop !== undefined);
  const user = await page.evaluate(
    ([u, p]) => window.chorusInterop.register(u, p),
    [`${name}_${tag}`, password],
  );
  return { name, page, user, pageErrors, joined: null };
}

/**
 * Waits until `client` hears `wantHz` from the member `fromUserId` (when given) on a playing
 * remote track with non-zero audioLevel and totalAudioEnergy; returns that track's status.
 */
async function waitHears(client, wantHz, fromUserId) {
  let last = null;
  try {
    return await waitFor(
      async () => {
        last = await client.page.evaluate(() => window.chorusInterop.status());
        return last.tracks.find(
          (t) =>
            (fromUserId === undefined || t.userId === fromUserId) &&
            t.playing &&
            t.audioLevel > 0 &&
            t.totalAudioEnergy > 0 &&
            near(t.dominant.hz, wantHz),
        );
      },
      { timeoutMs: kMediaTimeoutMs, intervalMs: 250, what: `${client.name} to hear ${wantHz} Hz` },
    );
  } catch (error) {
    throw new Error(`${error.message}; last status: ${JSON.stringify(last)}`);
  }
}

/** Starts the aiortc peer; returns {child, lines, latest()} (its JSON status lines). */
function startAiortc(baseUrl, username, hz) {
  const child = spawn(
    kPython,
    [
      kAiortcPeer, '--base-url', baseUrl, '--username', username, '--password', password,
      '--stream-id', String(kStreamId), '--freq', String(hz), '--slots', String(kSlots),
      '--duration', '60', '--status-interval', '0.5', '--stop-on-stdin-eof',
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const peer = { child, lines: [], stderr: '' };
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      peer.lines.push(JSON.parse(line));
    } catch {
      peer.lines.push({ event: 'text', line });
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    peer.stderr = (peer.stderr + chunk).slice(-4000);
  });
  return peer;
}

/** Returns the aiortc peer's last line of `event`, or throws if it reported an error/exited. */
function aiortcLatest(event) {
  const error = aiortc.lines.find((l) => l.event === 'error');
  if (error) throw new Error(`aiortc peer: ${error.message}`);
  if (aiortc.child.exitCode !== null) {
    throw new Error(`aiortc peer exited ${aiortc.child.exitCode}: ${aiortc.stderr.slice(-600)}`);
  }
  return aiortc.lines.filter((l) => l.event === event).at(-1) ?? null;
}

try {
  const clients = [];
  const ready = await report.check('setup', async () => {
    const [wav440, wav880] = await Promise.all([makeTone(440), makeTone(880)]);
    server = await startChorusd({
      dataDir,
      extraArgs: ['--rtc-announce-ip', kNetnsAnnounceIp],
    });
    const launched = await Promise.all([
      launchChromium({ fakeAudioFile: wav440 }),
      launchChromium({ fakeAudioFile: wav880 }),
    ]);
    chromes.push(...launched);
    clients.push(await openClient(launched[0], 'tone440'), await openClient(launched[1], 'tone880'));
  });
  if (!ready) throw new Error('setup failed');
  const [a, b] = clients;

  await report.check('browsers-join-rtc', async () => {
    for (const client of clients) {
      client.joined = await client.page.evaluate(
        ([id, k]) => window.chorusInterop.join(id, k),
        [kStreamId, kSlots],
      );
      if (client.joined.userId !== client.user.id) {
        throw new Error(`${client.name}: joined as ${client.joined.userId}, not ${client.user.id}`);
      }
    }
    for (const client of clients) {
      await waitFor(
        async () => {
          const s = await client.page.evaluate(() => window.chorusInterop.status());
          return s.connection === 'connected' && ['connected', 'completed'].includes(s.ice);
        },
        { timeoutMs: kMediaTimeoutMs, what: `${client.name} ICE+DTLS connected` },
      );
    }
  });

  await report.check('browser-440-hears-880', async () => {
    await waitHears(a, 880, b.user.id);
  });
  await report.check('browser-880-hears-440', async () => {
    await waitHears(b, 440, a.user.id);
  });
  await report.check('browsers-never-hear-themselves', async () => {
    for (const client of clients) {
      const s = await client.page.evaluate(() => window.chorusInterop.status());
      const own = s.tracks.filter((t) => t.userId === client.user.id);
      if (own.length) throw new Error(`${client.name} has its own voice in slot(s) ${JSON.stringify(own)}`);
    }
  });

  await report.check('aiortc-joins', async () => {
    aiortc = startAiortc(server.baseUrl, `aiortc_${tag}`, 660);
    await waitFor(
      () => {
        const status = aiortcLatest('status');
        return status && status.connection === 'connected';
      },
      { timeoutMs: kMediaTimeoutMs, what: 'aiortc peer connected' },
    );
  });

  await report.check('aiortc-hears-440-and-880', async () => {
    let last = null;
    try {
      await waitFor(
        () => {
          last = aiortcLatest('status');
          if (!last) return false;
          const fresh = last.tracks.filter(
            (t) => t.age_s !== null && t.age_s <= kAiortcMaxAgeS && t.rms >= kAiortcMinRms,
          );
          return near440And880(fresh);
        },
        { timeoutMs: kMediaTimeoutMs, what: 'aiortc to hear 440 and 880 Hz' },
      );
    } catch (error) {
      throw new Error(`${error.message}; last status: ${JSON.stringify(last)}`);
    }
  });

  for (const client of clients) {
    await report.check(`${client.name}-hears-aiortc-660`, async () => {
      const joined = aiortc.lines.find((l) => l.event === 'joined');
      await waitHears(client, 660, joined?.user_id);
    });
  }

  await report.check('no-page-errors', async () => {
    for (const client of clients) {
      const s = await client.page.evaluate(() => window.chorusInterop.status());
      const problems = [...client.pageErrors, ...s.errors];
      if (problems.length) throw new Error(`${client.name}: ${problems.join('; ')}`);
    }
  });
} catch (error) {
  if (error.message !== 'setup failed') report.fail('interop', error);
} finally {
  if (report.failed > 0) {
    if (server) console.log(`--- ${server.logFile} (tail) ---\n${tailOf(server.logFile, 40)}`);
    if (aiortc) console.log(`--- aiortc stderr (tail) ---\n${aiortc.stderr.slice(-1500)}`);
  }
  await cleanup().catch((error) => report.fail('cleanup', error));
  fs.rmSync(dataDir, { recursive: true, force: true });
}
process.exit(report.exitCode);

/** True when the tracks include one near 440 Hz and another near 880 Hz. */
function near440And880(tracks) {
  return tracks.some((t) => near(t.dominant_hz, 440)) && tracks.some((t) => near(t.dominant_hz, 880));
}
